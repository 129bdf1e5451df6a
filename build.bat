@echo off
rem build.bat - build and run coralperf's unit tests and example suite with MSVC.
rem Run it from a "x64 Native Tools Command Prompt for VS 2019 (16.8) or newer".
rem stb_ds.h: set STB_DS_DIR to the folder that holds it, e.g.
rem     set STB_DS_DIR=C:\src\stb
rem     build.bat
setlocal
if "%STB_DS_DIR%"=="" (
  echo error: set STB_DS_DIR to the folder holding stb_ds.h ^(github.com/nothings/stb^), then run build.bat again
  exit /b 1
)
if not exist "%STB_DS_DIR%\stb_ds.h" (
  echo error: "%STB_DS_DIR%\stb_ds.h" not found: STB_DS_DIR must be the folder holding stb_ds.h
  exit /b 1
)
if not exist build mkdir build
set CFLAGS=/nologo /std:c11 /W4 /WX /O2 /D_CRT_SECURE_NO_WARNINGS /I. /I"%STB_DS_DIR%" /Itests /Fobuild\
echo == building unit tests
cl %CFLAGS% /Fe:build\unit.exe tests\test_main.c tests\test_clock.c tests\test_stats.c tests\test_bench.c tests\test_suite.c tests\test_report.c tests\test_lazy.c tests\test_mem.c tests\test_hash.c tests\test_dedup.c tests\test_neardup.c tests\test_deflate.c tests\test_baseline.c tests\test_guard.c tests\test_ab.c tests\test_hist.c tests\test_complexity.c tests\test_load.c || exit /b 1
echo == building examples
cl %CFLAGS% /Fe:build\example_suite.exe examples\example_suite.c || exit /b 1
cl %CFLAGS% /Fe:build\lazy_model.exe examples\lazy_model.c || exit /b 1
cl %CFLAGS% /Fe:build\mem_weights.exe examples\mem_weights.c || exit /b 1
cl %CFLAGS% /Fe:build\weight_store.exe examples\weight_store.c || exit /b 1
cl %CFLAGS% /Fe:build\guard_assert.exe examples\guard_assert.c || exit /b 1
cl %CFLAGS% /Fe:build\inference_budget.exe examples\inference_budget.c || exit /b 1
cl %CFLAGS% /Fe:build\suite_timing.exe examples\suite_timing.c || exit /b 1
cl %CFLAGS% /Fe:build\load_service.exe examples\load_service.c || exit /b 1
echo == running unit tests
build\unit.exe || exit /b 1
echo == running the example suite (quick)
build\example_suite.exe --quick --no-baseline || exit /b 1
build\lazy_model.exe || exit /b 1
build\mem_weights.exe || exit /b 1
build\weight_store.exe || exit /b 1
build\guard_assert.exe || exit /b 1
build\suite_timing.exe || exit /b 1
build\load_service.exe || exit /b 1
echo == running the inference-budget example (quick; exit 2 expected: xl misses its advisory budget)
build\inference_budget.exe --quick
if errorlevel 3 exit /b 1
if errorlevel 2 goto inference_ok
if errorlevel 1 exit /b 1
:inference_ok
echo build.bat: all built and passed
