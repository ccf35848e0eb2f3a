# The canary: a planted failure on every seed ending in 3 proves, end to end,
# that a failing seed exits 1, is written out and shrunk, and that the shrunk
# scenario replays to the same invariant.
#   cmake -DCANARY=<clawsim-planted-canary> -DOUT=<dir> -P canary.cmake
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${CANARY} explore --seeds 0..99 --jobs 2 --max-failures 0 --out ${OUT}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE progress TIMEOUT 300)
if(NOT status EQUAL 1)
  message(FATAL_ERROR "the canary's exploration exited ${status}, not 1 (a safety violation):\n${out}")
endif()
string(REGEX MATCHALL "FAIL seed [0-9]+:" failures "${out}")
set(expected "FAIL seed 3:;FAIL seed 13:;FAIL seed 23:;FAIL seed 33:;FAIL seed 43:;FAIL seed 53:;FAIL seed 63:;FAIL seed 73:;FAIL seed 83:;FAIL seed 93:")
if(NOT failures STREQUAL expected)
  message(FATAL_ERROR "the canary should fail exactly the seeds ending in 3, failed: ${failures}\n${out}")
endif()
foreach(seed 3 13 23 33 43 53 63 73 83 93)
  foreach(file seed-${seed}.scenario seed-${seed}.min.scenario)
    execute_process(COMMAND ${CANARY} run ${OUT}/${file} --quiet RESULT_VARIABLE replay OUTPUT_VARIABLE report TIMEOUT 120)
    if(NOT replay EQUAL 1 OR NOT report MATCHES "INVARIANT 1 VIOLATED \\(single control\\)")
      message(FATAL_ERROR "${file} does not replay the canary (exit ${replay}):\n${report}")
    endif()
  endforeach()
endforeach()
file(STRINGS ${OUT}/seed-3.min.scenario lines REGEX "^at ")
list(LENGTH lines shrunk_lines)
if(shrunk_lines GREATER 3)
  message(FATAL_ERROR "seed-3.min.scenario keeps ${shrunk_lines} action lines; the canary needs one join")
endif()
message(STATUS "canary: 10 of 100 seeds failed as planted; each replays, shrunk to ${shrunk_lines} lines")
