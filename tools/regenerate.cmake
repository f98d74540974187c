# Run by the build (CMakeLists.txt, target ruv_amalgamate) when src/ or tools/amalgamate.py is
# newer than its stamp: regenerates ruvector.h and ruvector_simd.h with tools/amalgamate.py
# unless `amalgamate.py --check` finds them up to date already (then they keep their bytes and
# times, and nothing that includes them is rebuilt), then touches the stamp.
#   cmake -DPYTHON=python3 -DROOT=<repository> -DSTAMP=<file> -P tools/regenerate.cmake
execute_process(COMMAND ${PYTHON} tools/amalgamate.py --check WORKING_DIRECTORY ${ROOT}
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
if(NOT status EQUAL 0)
  message(STATUS "src/ changed: regenerating ruvector.h and ruvector_simd.h (tools/amalgamate.py)")
  execute_process(COMMAND ${PYTHON} tools/amalgamate.py WORKING_DIRECTORY ${ROOT}
                  RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "tools/amalgamate.py failed (${status})")
  endif()
endif()
file(TOUCH ${STAMP})
