# Runs one command line (clawsim, clawviz) and checks its exit status and its output.
#   cmake -DCOMMAND=<program;arg;...> -DEXPECT_STATUS=2 -DEXPECT_OUTPUT=<regex> -P expect_cli.cmake
# The output checked is stdout and stderr together. Fails with both shown.
if(NOT DEFINED COMMAND OR NOT DEFINED EXPECT_STATUS OR NOT DEFINED EXPECT_OUTPUT)
  message(FATAL_ERROR "expect_cli.cmake needs COMMAND, EXPECT_STATUS and EXPECT_OUTPUT")
endif()
execute_process(
  COMMAND ${COMMAND}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  TIMEOUT 120
)
set(output "${out}${err}")
if(NOT status STREQUAL EXPECT_STATUS)
  message(FATAL_ERROR "expected exit status ${EXPECT_STATUS}, got '${status}' from: ${COMMAND}\n--- output:\n${output}")
endif()
if(NOT output MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "output does not match '${EXPECT_OUTPUT}' from: ${COMMAND}\n--- output:\n${output}")
endif()
message(STATUS "exit ${status}: ${output}")
