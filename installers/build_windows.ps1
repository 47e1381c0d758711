<#
Build Digital Human Studio for Windows as a one-folder application, then smoke-check it.

  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1 [-Flavour cpu|gpu] [-Venv DIR]
                                                                         [-Dist DIR] [-Zip] [-NoSmoke]
  powershell -ExecutionPolicy Bypass -File installers\build_windows.ps1 -SmokeOnly [-Dist DIR]

  -Flavour   cpu: CPU torch (the default torch==2.13.0 wheel on Windows) + onnxruntime
             gpu: CUDA torch (from $env:TORCH_INDEX_URL, PyTorch's CUDA wheel index) + onnxruntime-gpu
             default: whatever the Python environment has (build_info.json says which)
  -Venv DIR  make a fresh virtual environment in DIR and install the flavour's packages into it;
             without it the current environment is used as it is and nothing is installed.
  -Zip       also pack DIST\dhstudio-VERSION-windows-FLAVOUR.zip
  -NoSmoke   skip the smoke check; -SmokeOnly runs only the smoke check on DIST\dhstudio

Output: DIST\dhstudio\{dhstudio.exe, dhstudio-gui.exe, _internal\}. The smoke check is the same as
installers/smoke_check.sh: --version, doctor, the demo's first two stages and the window offscreen,
from an empty folder without PYTHONPATH.
#>
param(
    [ValidateSet("", "cpu", "gpu")] [string] $Flavour = "",
    [string] $Venv = "",
    [string] $Dist = "dist",
    [switch] $Zip,
    [switch] $NoSmoke,
    [switch] $SmokeOnly
)
$ErrorActionPreference = "Stop"
Set-Location (Split-Path -Parent $PSScriptRoot)

function Invoke-Checked {
    # Run a native command; stop with its exit code when it fails (PowerShell does not by itself).
    param([string] $Exe, [string[]] $Arguments)
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "build_windows: '$Exe $($Arguments -join ' ')' failed with exit $LASTEXITCODE" }
}

function Invoke-SmokeCheck {
    param([string] $App)
    $work = Join-Path ([System.IO.Path]::GetTempPath()) ("dhstudio-smoke-" + [guid]::NewGuid().ToString("N").Substring(0, 8))
    New-Item -ItemType Directory -Path $work | Out-Null
    $saved = @{ PYTHONPATH = $env:PYTHONPATH; VIRTUAL_ENV = $env:VIRTUAL_ENV; QT_QPA_PLATFORM = $env:QT_QPA_PLATFORM;
        DHSTUDIO_NATIVE_DIR = $env:DHSTUDIO_NATIVE_DIR }
    $env:PYTHONPATH = $null; $env:VIRTUAL_ENV = $null; $env:QT_QPA_PLATFORM = "offscreen"
    $env:DHSTUDIO_NATIVE_DIR = Join-Path $work "no-own-kernels"  # the bundled kernels, not this machine's
    $script:failed = $false
    function Test-Step([string] $Name, [string] $Pattern, [int] $TimeoutS, [string] $Exe, [string[]] $Arguments) {
        $out = Join-Path $work "out.txt"; $err = Join-Path $work "err.txt"
        $p = Start-Process -FilePath $Exe -ArgumentList $Arguments -WorkingDirectory $work -NoNewWindow -PassThru `
            -RedirectStandardOutput $out -RedirectStandardError $err
        if (-not $p.WaitForExit($TimeoutS * 1000)) { $p.Kill(); $code = "timeout" } else { $code = $p.ExitCode }
        $text = (Get-Content $out -Raw -ErrorAction SilentlyContinue) + (Get-Content $err -Raw -ErrorAction SilentlyContinue)
        if ($code -eq 0 -and ($Pattern -eq "" -or $text -match $Pattern)) {
            Write-Host "smoke: ok   $Name"
        } else {
            Write-Host "smoke: FAIL $Name (exit $code; expected /$Pattern/):"
            Write-Host $text
            $script:failed = $true
        }
    }
    try {
        $cli = Join-Path $App "dhstudio.exe"
        Test-Step "--version" "^dhstudio [0-9]" 120 $cli @("--version")
        Test-Step "doctor" "PyTorch" 300 $cli @("doctor")
        # a folder that ships compiled kernels (_internal\native\) must load them (no own build there)
        $native = Join-Path $App "_internal\native"
        if (Test-Path (Join-Path $native "dhs_rasterize_*")) {
            Test-Step "doctor: bundled rasterizer" "(?m)^CPU Gaussian rasterizer +ok +fused C\+\+ rasterizer, bundled " 300 $cli @("doctor")
        }
        if (Test-Path (Join-Path $native "dhs_tonemap_*")) {
            Test-Step "doctor: bundled tone map" "(?m)^HDR tone-map kernel +ok +bundled " 300 $cli @("doctor")
        }
        Test-Step "demo, stages 1-2 (generate, prepare)" "prepared clip: " 900 $cli @("demo", "--stages", "2", "--device", "cpu", "--out", (Join-Path $work "demo"))
        if (-not (Test-Path (Join-Path $work "demo\prepared\demo\manifest.json"))) {
            Write-Host "smoke: FAIL the demo wrote no prepared\demo\manifest.json"; $script:failed = $true
        }
        $env:DHSTUDIO_QUIT_AFTER_MS = "3000"
        Test-Step "dhstudio gui window (offscreen)" "window shown: 'Digital Human Studio" 300 $cli @("gui")
        # dhstudio-gui.exe has no console (stdout is None): its exit code is the check
        Test-Step "dhstudio-gui window (offscreen)" "" 300 (Join-Path $App "dhstudio-gui.exe") @()
    } finally {
        Remove-Item Env:DHSTUDIO_QUIT_AFTER_MS -ErrorAction SilentlyContinue
        foreach ($k in $saved.Keys) { Set-Item -Path "Env:$k" -Value $saved[$k] -ErrorAction SilentlyContinue }
        Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
    }
    if ($script:failed) { throw "smoke: FAILED ($App)" }
    Write-Host "smoke: passed ($App)"
}

$App = Join-Path $Dist "dhstudio"
if ($SmokeOnly) { Invoke-SmokeCheck $App; exit 0 }

$Py = if ($env:PYTHON) { $env:PYTHON } else { "python" }
if ($Venv) {
    if (-not $Flavour) { throw "build_windows: -Venv needs -Flavour cpu|gpu" }
    Invoke-Checked $Py @("-m", "venv", $Venv)
    $Py = Join-Path $Venv "Scripts\python.exe"
    Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # torch first and pinned; the CUDA build comes from PyTorch's CUDA wheel index
    if ($Flavour -eq "gpu") {
        if (-not $env:TORCH_INDEX_URL) { throw "build_windows: the gpu flavour needs `$env:TORCH_INDEX_URL (PyTorch's CUDA wheel index)" }
        Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "torch==2.13.0", "--index-url", $env:TORCH_INDEX_URL)
    } else {
        Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "torch==2.13.0")
    }
    Invoke-Checked $Py @("-m", "pip", "install", "--quiet", ".[build]")
    if ($Flavour -eq "cpu") {
        Invoke-Checked $Py @("-m", "pip", "uninstall", "--quiet", "-y", "onnxruntime-gpu")
        Invoke-Checked $Py @("-m", "pip", "install", "--quiet", "onnxruntime>=1.18")
    }
}

& $Py -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) { throw "build_windows: PyInstaller is missing: $Py -m pip install '.[build]' (or pass -Venv DIR -Flavour cpu|gpu)" }

$start = Get-Date
# The compiled CPU kernels for portable instruction-set levels (x86-64-v3 = /arch:AVX2, x86-64-v2 =
# MSVC's default): the bundle loads the highest the CPU runs. Needs the MSVC build tools (run from a
# "Developer PowerShell"); without them the bundle uses the slower PyTorch rasterizer and NumPy tone map.
$env:DHSTUDIO_NATIVE_BUNDLE = Join-Path (Get-Location) "build\native-bundle"
Remove-Item -Recurse -Force $env:DHSTUDIO_NATIVE_BUNDLE -ErrorAction SilentlyContinue
foreach ($kernel in @("core.gaussians.render.build_native", "core.media.build_native", "core.lipsync.build_native")) {
    & $Py -m $kernel --level all --out $env:DHSTUDIO_NATIVE_BUNDLE
    if ($LASTEXITCODE -ne 0) { Write-Warning "build_windows: $kernel did not build every level; see above" }
}
$env:DHSTUDIO_FLAVOUR = $Flavour
try {
    Invoke-Checked $Py @("-m", "PyInstaller", "installers\dhstudio.spec", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", $Dist, "--workpath", "build\pyinstaller")
} finally {
    Remove-Item Env:DHSTUDIO_FLAVOUR -ErrorAction SilentlyContinue
}
$info = Get-Content (Join-Path $App "_internal\build_info.json") -Raw | ConvertFrom-Json
$bytes = (Get-ChildItem $App -Recurse -File | Measure-Object -Property Length -Sum).Sum
$seconds = [int]((Get-Date) - $start).TotalSeconds
Write-Host ("build_windows: {0} ({1} flavour): {2:N0} MB in {3} s" -f $App, $info.flavour, ($bytes / 1MB), $seconds)

if ($Zip) {
    $archive = Join-Path $Dist ("dhstudio-{0}-windows-{1}.zip" -f $info.version, $info.flavour)
    Compress-Archive -Path $App -DestinationPath $archive -Force
    Write-Host "build_windows: $archive"
}
if (-not $NoSmoke) { Invoke-SmokeCheck $App }
