# Build the Windows bundle dist\neiqin\ (neiqin.exe, the window; neiqin-cli.exe, the console program for scheduled
# tasks) with PyInstaller and build.spec, then smoke-start it. One command, from any folder, in PowerShell:
#
#     powershell -ExecutionPolicy Bypass -File scripts\build_windows.ps1
#
# It creates .venv (with Python 3.12 through the py launcher, or -Python C:\path\python.exe), installs neiqin and
# PyInstaller into it, builds, and checks the programs: demo data, a printed register, verify (console output in the
# console's code page), a backup, the window started for 8 s holding the data-dir lock, no error in the log.
# Windows counterpart of scripts/build_and_smoke.sh. Exit status 0 only when every step passed.
# Saved as UTF-8 with a byte-order mark: without it Windows PowerShell 5.1 reads the file in the ANSI code page and
# the Chinese strings below come out garbled.
param([string]$Python = "")

$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..")
# The programs' output is read back below: UTF-8 both ways, whatever the runner's code page (GBK, or 1252 on an
# English Windows, which has no Chinese at all).
[Console]::OutputEncoding = [System.Text.Encoding]::UTF8
$env:PYTHONIOENCODING = "utf-8"

function Fail([string]$Message) {
    Write-Host "FAIL: $Message" -ForegroundColor Red
    exit 1
}

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { Fail "$Exe $($Arguments -join ' ') exited $LASTEXITCODE" }
}

# A native command writing to stderr must not stop the script (Windows PowerShell 5.1 turns it into an error).
function Invoke-Captured([string]$Exe, [string[]]$Arguments) {
    $previous = $ErrorActionPreference
    $ErrorActionPreference = "Continue"
    $text = & $Exe @Arguments 2>&1 | Out-String
    $code = $LASTEXITCODE
    $ErrorActionPreference = $previous
    return @{ Code = $code; Text = $text }
}

Write-Host "== virtual environment"
$venvPython = ".venv\Scripts\python.exe"
if (-not (Test-Path $venvPython)) {
    if ($Python) { Invoke-Checked $Python @("-m", "venv", ".venv") }
    else { Invoke-Checked "py" @("-3.12", "-m", "venv", ".venv") }
}
Invoke-Checked $venvPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Checked $venvPython @("-m", "pip", "install", "--quiet", "-e", ".[build]")

Write-Host "== PyInstaller (build.spec)"
$started = Get-Date
Invoke-Checked $venvPython @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                             "--workpath", "build", "--distpath", "dist", "build.spec")
Write-Host ("   built in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
$app = "dist\neiqin\neiqin.exe"
$cli = "dist\neiqin\neiqin-cli.exe"
if (-not (Test-Path $app) -or -not (Test-Path $cli)) { Fail "$app or $cli was not built" }
$version = (Get-Item $app).VersionInfo
if ($version.ProductName -ne "内勤台账") { Fail "no version resource on neiqin.exe" }
Write-Host "   neiqin.exe $($version.FileVersion), $($version.FileDescription)"

$tmp = Join-Path $env:TEMP ("neiqin-smoke-" + [guid]::NewGuid().ToString("N"))
$data = Join-Path $tmp "数据"
$gui = $null
try {
    Write-Host "== demo data, printed register, verify, backup (console program)"
    Invoke-Checked $cli @("--data-dir", $data, "demo", "--rows", "200")
    Invoke-Checked $cli @("--data-dir", $data, "print", "visitors", (Join-Path $tmp "登记簿.pdf"))
    if ((Get-Item (Join-Path $tmp "登记簿.pdf")).Length -lt 10000) { Fail "the printed register is too small" }
    $verify = Invoke-Captured $cli @("--data-dir", $data, "verify")
    if ($verify.Code -ne 0 -or $verify.Text -notmatch "校验通过") { Write-Host $verify.Text; Fail "verify" }
    Invoke-Checked $cli @("--data-dir", $data, "backup", "--to", (Join-Path $tmp "U盘"))

    Write-Host "== window, 8 s"
    $gui = Start-Process -FilePath $app -ArgumentList @("--data-dir", "`"$data`"") -PassThru
    Start-Sleep -Seconds 5
    if ($gui.HasExited) { Fail "the window exited early (exit code $($gui.ExitCode))" }
    $locked = Invoke-Captured $cli @("--data-dir", $data, "demo", "--rows", "1")
    if ($locked.Code -eq 0) { Fail "a second program could write while the window was open" }
    if ($locked.Text -notmatch "已在使用") { Write-Host $locked.Text; Fail "unexpected refusal message" }
    Start-Sleep -Seconds 3
    if ($gui.HasExited) { Fail "the window died" }
    Stop-Process -Id $gui.Id
    $gui = $null
    $log = Get-Content (Join-Path $data "logs\neiqin.log") -Encoding UTF8 -Raw
    if ($log -match "Traceback|unexpected error") { Write-Host $log; Fail "errors in the log" }
    Write-Host "OK: dist\neiqin\ is ready (zip the folder; a 数据 folder beside neiqin.exe makes it portable)"
}
finally {
    if ($gui -and -not $gui.HasExited) { Stop-Process -Id $gui.Id -ErrorAction SilentlyContinue }
    Remove-Item -Recurse -Force $tmp -ErrorAction SilentlyContinue
}
