# `clawsim run FILE --seed N` must run seed N: two seeds of a scenario with
# random latency give different timelines, the same seed twice the same one.
#   cmake -DCLAWSIM=<path> -DFILE=<scenario> -P seed_changes_run.cmake
function(timeline seed result)
  execute_process(COMMAND ${CLAWSIM} run ${FILE} --seed ${seed} RESULT_VARIABLE status OUTPUT_VARIABLE out TIMEOUT 120)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "clawsim run ${FILE} --seed ${seed} exited ${status}:\n${out}")
  endif()
  string(FIND "${out}" "\n== " report)  # The report names the seed; compare what ran before it.
  string(SUBSTRING "${out}" 0 ${report} lines)
  set(${result} "${lines}" PARENT_SCOPE)
endfunction()
timeline(7 first)
timeline(8 second)
timeline(7 again)
if(first STREQUAL second)
  message(FATAL_ERROR "seeds 7 and 8 gave the same timeline: --seed is ignored")
endif()
if(NOT first STREQUAL again)
  message(FATAL_ERROR "seed 7 gave two different timelines: the run is not deterministic")
endif()
