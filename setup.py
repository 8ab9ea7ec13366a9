"""Build step of pyscoop: compile the Go package ./pybind into scoop._native.

All metadata lives in pyproject.toml; this file only holds the custom
build_ext that runs gopy (pinned in go.mod as a Go tool) and places its output.

What a build does (``pip install .`` or ``pip install -e .``):

1. checks that ``go`` (>= 1.24, go.mod asks for 1.26) and a C compiler exist;
2. makes a private work folder ``.build/gopy-XXXX`` inside the Go module (gopy
   must generate its ``package main`` inside the module so that it can import
   ./pybind; Go's ``./...`` ignores folders starting with ``.``) and removes
   it afterwards;
3. builds ``goimports`` from the golang.org/x/tools version pinned in go.mod
   into that folder and puts it first on PATH (gopy runs ``goimports`` by name);
4. runs ``go tool gopy build -vm=<this python> -name=native -symbols=false
   -dynamic-link -output=<work>/out ./pybind`` with CGO_ENABLED=1;
5. removes gopy's gc.callbacks hook from the generated wrappers (see
   ``_remove_gc_hook``) and copies the extension plus its wrappers into
   ``scoop/_native/`` (the committed ``python/scoop/_native/__init__.py``
   re-exports the functions, so callers write ``_native.Version()``).

gopy compiles its generated ``package main`` with a hard-coded ``go build
-mod=mod``, which would rewrite the repository's go.mod/go.sum (it makes gopy a
direct requirement and adds test-only modules). So that a build never dirties
the work tree, gopy's output folder is made a throw-away module of its own
(``<work>/out/go.mod``: requires this module, ``replace``d by the source tree,
plus a copy of go.sum); -mod=mod then edits only that copy. (GOFLAGS=-modfile
does not work: golang.org/x/tools/go/packages runs a `go list` with
GO111MODULE=off, which rejects -modfile.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
GO_PACKAGE = "./pybind"
# gopy -name: the extension is _<name><EXT_SUFFIX>, i.e. scoop._native._native.
GOPY_NAME = "native"
# gopy writes one <go package name>.py wrapper per bound package, plus go.py.
GOPY_WRAPPERS = ("pybind.py", "go.py")
MIN_GO = (1, 24)  # `tool` directives in go.mod; older Go cannot even read it.

# The exact statement gopy v0.5.0 emits at the end of each generated wrapper's
# preamble (bind/gen.go):
#     try:
#         import gc as _gopy_gc
#         def _gopy_gc_cb(phase, info):
#             if phase == 'stop':
#                 _native.RequestGC()
#         _gopy_gc.callbacks.append(_gopy_gc_cb)
#     except Exception:
#         pass
GC_HOOK_LINE = "_gopy_gc.callbacks.append(_gopy_gc_cb)"


class BuildError(RuntimeError):
    pass


def _remove_gc_hook(path: Path) -> None:
    """Neutralise gopy's gc.callbacks hook in one generated wrapper.

    Why: gopy v0.5.0 registers a gc.callbacks entry that calls
    RequestGC(), i.e. a full, synchronous Go runtime.GC(), after *every*
    Python GC pass (in each wrapper module, so twice). Python's generation-0
    collections are frequent, so an allocation-heavy Python loop ran ~6x
    slower (shared/GOPY-FACTS.md). The hook only matters for Go objects held
    through gopy handles; our boundary passes plain ints, and Go's own GC
    still runs on its own schedule. We keep the definition (harmless) and
    drop the registration.
    """
    text = path.read_text(encoding="utf-8")
    count = text.count(GC_HOOK_LINE)
    if count != 1:
        raise BuildError(
            f"{path.name}: expected gopy's gc.callbacks hook exactly once, found "
            f"{count}. gopy's output changed: update _remove_gc_hook in setup.py."
        )
    text = text.replace(
        GC_HOOK_LINE,
        "pass  # pyscoop: gopy's Go-GC-after-every-Python-GC hook removed by setup.py",
    )
    if "callbacks.append" in text:
        raise BuildError(f"{path.name}: a gc.callbacks registration is still there")
    path.write_text(text, encoding="utf-8")


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], what: str) -> str:
    print(f"pyscoop build: {what}: {' '.join(cmd)}", flush=True)
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    print(proc.stdout, end="", flush=True)
    if proc.returncode != 0:
        raise BuildError(f"{what} failed (exit {proc.returncode}; output above): {' '.join(cmd)}")
    return proc.stdout


def _find_go() -> str:
    go = shutil.which("go")
    if go is None and Path("/usr/local/go/bin/go").exists():
        go = "/usr/local/go/bin/go"  # the official tarball's place, often not on PATH
    if go is None:
        raise BuildError(
            "pyscoop needs the Go toolchain to build its native core, and `go` is not "
            "on PATH. Install Go >= 1.26 (https://go.dev/dl/, or your distribution's "
            "golang package if it is recent enough) and a C compiler (gcc or clang; "
            "cgo is used), then run pip again."
        )
    out = subprocess.run([go, "env", "GOVERSION"], stdout=subprocess.PIPE, text=True)
    m = re.match(r"go(\d+)\.(\d+)", out.stdout.strip())
    if out.returncode != 0 or m is None or (int(m[1]), int(m[2])) < MIN_GO:
        raise BuildError(
            f"pyscoop needs Go >= 1.26 (go.mod); `{go}` reports "
            f"{out.stdout.strip() or 'nothing'}. Install a newer Go from https://go.dev/dl/."
        )
    return go


def _go_mod_line(keyword: str) -> str:
    for line in (ROOT / "go.mod").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == keyword:
            return words[1]
    raise BuildError(f"go.mod has no `{keyword}` line")


def _module_path() -> str:
    return _go_mod_line("module")


def _go_directive() -> str:
    return _go_mod_line("go")


class GopyExtension(Extension):
    """Placeholder: the sources are the Go module, gopy does the compiling."""

    def __init__(self, name: str):
        super().__init__(name, sources=[])


class build_gopy(build_ext):
    """build_ext that builds GopyExtension with gopy instead of a C compiler."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self._gopy_files: list[tuple[str, str]] = []  # (build_lib file, in-place file)

    def run(self) -> None:
        super().run()
        # setuptools builds into build_lib and, for editable installs
        # (inplace), copies only the .so back into the source tree: copy the
        # generated wrappers too.
        if self.inplace:
            # (stale wrappers in the source tree are overwritten here)
            for regular, inplace in self._gopy_files:
                self.copy_file(regular, inplace, level=self.verbose)

    def get_outputs(self) -> list[str]:
        outputs = super().get_outputs()
        if self.inplace:
            return outputs + [inplace for _, inplace in self._gopy_files]
        return outputs + [regular for regular, _ in self._gopy_files]

    def get_output_mapping(self) -> dict[str, str]:
        mapping = super().get_output_mapping()
        if self.inplace:
            mapping.update(dict(self._gopy_files))
        return mapping

    def build_extension(self, ext: Extension) -> None:
        if not isinstance(ext, GopyExtension):
            return super().build_extension(ext)
        try:
            self._build_gopy(ext)
        except BuildError as exc:
            sys.stderr.write(f"\nerror: {exc}\n")
            raise SystemExit(f"pyscoop: building {ext.name} failed: see above") from exc

    def _build_gopy(self, ext: GopyExtension) -> None:
        go = _find_go()
        ext_path = Path(self.get_ext_fullpath(ext.name)).resolve()
        target_dir = ext_path.parent
        suffix = sysconfig.get_config_var("EXT_SUFFIX")
        if ext_path.name != f"_{GOPY_NAME}{suffix}":
            raise BuildError(f"unexpected extension file name {ext_path.name}")
        # In-place (editable) target: the folder of __init__.py in the sources.
        build_py = self.get_finalized_command("build_py")
        package = ext.name.rpartition(".")[0]
        inplace_dir = Path(build_py.get_package_dir(package)).resolve()

        (ROOT / ".build").mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="gopy-", dir=ROOT / ".build"))
        try:
            out = self._run_gopy(go, work)
            wrappers = [out / name for name in GOPY_WRAPPERS]
            missing = [p.name for p in wrappers + [out / ext_path.name] if not p.exists()]
            if missing:
                raise BuildError(
                    f"gopy did not produce {', '.join(missing)} in {out}; is "
                    f"{GO_PACKAGE} still Go package `pybind`?"
                )
            for wrapper in wrappers:
                _remove_gc_hook(wrapper)
            target_dir.mkdir(parents=True, exist_ok=True)
            self._clean_generated(target_dir)
            shutil.copy2(out / ext_path.name, ext_path)
            for wrapper in wrappers:
                shutil.copy2(wrapper, target_dir / wrapper.name)
                self._gopy_files.append(
                    (str(target_dir / wrapper.name), str(inplace_dir / wrapper.name))
                )
        finally:
            shutil.rmtree(work, ignore_errors=True)
            try:
                (ROOT / ".build").rmdir()  # only if empty (no concurrent build)
            except OSError:
                pass

    @staticmethod
    def _clean_generated(folder: Path) -> None:
        """Remove earlier gopy output; scoop/_native holds only generated files
        besides __init__.py (see .gitignore)."""
        if not folder.is_dir():
            return
        for path in folder.iterdir():
            if path.name.startswith(f"_{GOPY_NAME}.") and path.name.endswith(".so"):
                path.unlink()
            elif path.name in GOPY_WRAPPERS:
                path.unlink()

    def _run_gopy(self, go: str, work: Path) -> Path:
        env = dict(os.environ)
        # cgo: gopy's glue is cgo, and so is core/ (POSIX semaphores).
        env["CGO_ENABLED"] = "1"
        # -buildvcs=false: no `git status` during the build (it fails on a tree
        # owned by another user, or in an sdist unpacked in another repository).
        env["GOFLAGS"] = " ".join(filter(None, [env.get("GOFLAGS", ""), "-buildvcs=false"]))
        env["GOWORK"] = "off"  # a go.work above the tree must not capture the build
        # Code in core/ or pybind/ may #include <Python.h>: add the include
        # folder through CGO_CPPFLAGS, which gopy leaves alone (it rewrites
        # CGO_CFLAGS and CGO_LDFLAGS for its final link).
        include = sysconfig.get_path("include")
        env["CGO_CPPFLAGS"] = " ".join(filter(None, [env.get("CGO_CPPFLAGS", ""), f"-I{include}"]))
        cc = subprocess.run([go, "env", "CC"], env=env, stdout=subprocess.PIPE, text=True)
        cc_name = (cc.stdout.split() or ["gcc"])[0]
        if shutil.which(cc_name) is None:
            raise BuildError(
                f"cgo needs a C compiler and `{cc_name}` (go env CC) is not on PATH: "
                "install gcc (e.g. apt-get install gcc) or set CC."
            )

        # goimports from the golang.org/x/tools version pinned in go.mod
        # (`tool golang.org/x/tools/cmd/goimports`); gopy runs it by name.
        bin_dir = work / "bin"
        _run([go, "build", "-o", str(bin_dir / "goimports"), "golang.org/x/tools/cmd/goimports"],
             cwd=ROOT, env=env, what="build goimports")
        env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(go).parent), env.get("PATH", "")])

        # gopy's output folder: a throw-away module (see the module docstring).
        out = work / "out"
        out.mkdir()
        module = _module_path()
        (out / "go.mod").write_text(
            f"module pyscoop_gopy_build\n\ngo {_go_directive()}\n\n"
            f"require {module} v0.0.0\n\nreplace {module} => {ROOT}\n",
            encoding="utf-8",
        )
        if (ROOT / "go.sum").exists():
            shutil.copy2(ROOT / "go.sum", out / "go.sum")
        # -dynamic-link (libpython): without it gopy links `-lpython3.X`,
        # which gives the .so a NEEDED libpython3.X.so entry (and, with a
        # static-libpython interpreter, would link a second copy of the
        # interpreter into the .so). With it gopy links with the
        # interpreter's LDSHARED flags and no -lpython: the Python C-API
        # symbols stay undefined and are resolved at import time from the
        # running interpreter, like any CPython extension on Linux. The
        # LDSHARED flags add an RUNPATH to the build interpreter's lib folder;
        # it is unused (the .so needs only libc).
        # Those LDSHARED flags go into a `#cgo LDFLAGS` line, and some
        # interpreters' LDSHARED carry compiler flags that cgo's allowlist
        # rejects (Debian's python3.11: `-g -fwrapv -O2` -> "invalid flag in
        # #cgo LDFLAGS: -fwrapv"): allow exactly the interpreter's own flags.
        ldshared = (sysconfig.get_config_var("LDSHARED") or "").replace("-bundle", "")
        ldflags = sorted(set(ldshared.split()[1:]))
        if ldflags:
            allow = "|".join(re.escape(flag) for flag in ldflags)
            if env.get("CGO_LDFLAGS_ALLOW"):
                allow = f"(?:{env['CGO_LDFLAGS_ALLOW']})|{allow}"
            env["CGO_LDFLAGS_ALLOW"] = allow
        _run([go, "tool", "gopy", "build", f"-vm={sys.executable}", f"-name={GOPY_NAME}",
              f"-output={out}", "-symbols=false", "-dynamic-link", "-no-make", GO_PACKAGE],
             cwd=ROOT, env=env, what="gopy build")
        return out


setup(
    ext_modules=[GopyExtension(f"scoop._native._{GOPY_NAME}")],
    cmdclass={"build_ext": build_gopy},
)
