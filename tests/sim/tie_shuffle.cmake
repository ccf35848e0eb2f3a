# A scenario's expectations and invariants hold whatever order the events due
# at one instant run in: the file passes with --tie-shuffle 1..SEEDS.
#   cmake -DCLAWSIM=<clawsim> -DFILE=<scenario> -DSEEDS=50 -P tie_shuffle.cmake
set(failed "")
foreach(seed RANGE 1 ${SEEDS})
  execute_process(COMMAND ${CLAWSIM} run ${FILE} --tie-shuffle ${seed} --quiet
                  RESULT_VARIABLE status OUTPUT_VARIABLE report TIMEOUT 120)
  if(NOT status EQUAL 0)
    list(APPEND failed ${seed})
    set(last_report "${report}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "${FILE} fails with --tie-shuffle ${failed}; the last report:\n${last_report}")
endif()
