"""SPEC §7: the placement file (pyproject.toml's [tool.scoop] or scoop.toml), its checks, and
``python -m scoop placement``."""

from __future__ import annotations

import sys
import textwrap

import pytest
from models_placement import Fork
from support import describe, run_python

import scoop

FORKS = '"models_placement.Fork" = { processor = "forks" }\n'


@pytest.fixture(autouse=True)
def clear_placement():
    yield
    scoop.shutdown()
    scoop._global._placements.clear()
    scoop._global._ray_configured.clear()


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def pyproject(directory, placement: str = FORKS, extra: str = ""):
    return write(directory / "pyproject.toml", f'[project]\nname = "app"\n\n[tool.scoop.placement]\n{placement}{extra}')


def forks_share_a_processor() -> bool:
    a, b = Fork(), Fork()
    return scoop.processor_of(a) == scoop.processor_of(b)


# -- finding the file ----------------------------------------------------------


def test_without_a_file_classes_get_the_default_placement(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not forks_share_a_processor()


def test_pyproject_placement_is_found_from_the_working_directory_upward(tmp_path, monkeypatch):
    pyproject(tmp_path)
    (tmp_path / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "src" / "deep")
    assert forks_share_a_processor()


def test_a_pyproject_without_tool_scoop_is_passed_over(tmp_path, monkeypatch):
    # As ruff does with [tool.ruff]: a pyproject.toml without the tool's table is not its config.
    pyproject(tmp_path)
    write(tmp_path / "member" / "pyproject.toml", '[project]\nname = "member"\n')
    monkeypatch.chdir(tmp_path / "member")
    assert forks_share_a_processor()


def test_the_search_stops_at_the_first_directory_with_a_configuration(tmp_path, monkeypatch):
    pyproject(tmp_path)
    pyproject(tmp_path / "member", placement="")  # its own, empty: the one above does not apply
    monkeypatch.chdir(tmp_path / "member")
    assert not forks_share_a_processor()


def test_scoop_toml_holds_the_tables_without_the_tool_prefix(tmp_path, monkeypatch):
    write(tmp_path / "scoop.toml", f"[placement]\n{FORKS}")
    monkeypatch.chdir(tmp_path)
    assert forks_share_a_processor()


def test_scoop_toml_wins_over_pyproject_in_the_same_directory(tmp_path, monkeypatch):
    pyproject(tmp_path)
    write(tmp_path / "scoop.toml", '[placement]\n"models_placement.Fork" = { kind = "passive" }\n')
    monkeypatch.chdir(tmp_path)
    assert Fork()._scoop_proc.passive
    assert not forks_share_a_processor()


def test_configure_wins_over_the_file(tmp_path, monkeypatch):
    pyproject(tmp_path)
    monkeypatch.chdir(tmp_path)
    # Before the runtime starts (the file is read then), and after it.
    scoop.configure(placement={"models_placement.Fork": {"kind": "passive"}})
    first = Fork()
    assert first._scoop_proc.passive
    scoop.configure(placement={"models_placement.Fork": {"processor": "configured"}})
    assert forks_share_a_processor()
    assert scoop.processor_of(Fork()) != scoop.processor_of(first)


def test_the_file_is_read_again_by_a_fresh_runtime(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not forks_share_a_processor()
    scoop.shutdown()
    pyproject(tmp_path)
    assert forks_share_a_processor()


def test_a_class_defined_after_the_runtime_started_is_placed(tmp_path, monkeypatch):
    # The usual case: the first separate object starts the runtime (and reads the file) before
    # the modules that define the other placed classes are imported.
    pyproject(tmp_path, placement='"late_models.Late" = { kind = "passive" }\n')
    write(tmp_path / "late_models.py", "import scoop\n\nclass Late(scoop.Separate):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "late_models", raising=False)
    Fork()  # the runtime starts; late_models is not imported yet
    from late_models import Late

    assert Late()._scoop_proc.passive


def test_a_class_defined_further_down_the_module_that_starts_the_runtime_is_placed(tmp_path, monkeypatch):
    # The module is being imported when the runtime starts: Later does not exist yet.
    pyproject(tmp_path, placement='"self_starting.Later" = { kind = "passive" }\n')
    write(
        tmp_path / "self_starting.py",
        """\
        import scoop

        class First(scoop.Separate):
            pass

        first = First()  # starts the runtime, which reads the file

        class Later(scoop.Separate):
            pass

        later = Later()
        """,
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "self_starting", raising=False)
    import self_starting

    assert self_starting.later._scoop_proc.passive


def test_ray_settings_come_from_the_file_under_configure(tmp_path, monkeypatch):
    pyproject(tmp_path, extra='\n[tool.scoop.ray]\naddress = "auto"\nnamespace = "file"\n')
    monkeypatch.chdir(tmp_path)
    Fork()
    scoop.configure(ray={"namespace": "configured"})
    assert scoop._global.ray_settings() == {"address": "auto", "namespace": "configured"}
    with pytest.raises(TypeError, match=r"scoop.configure\(ray=...\): expected a table"):
        scoop.configure(ray="auto")


# -- errors at start-up --------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        ('"models_placement.Fork" = { kind = "weird" }', ValueError, "unknown kind 'weird'; the kinds are default, passive, process, thread"),
        ('"models_placement.Fork" = { kinds = "passive" }', ValueError, "unknown key 'kinds'; the keys are kind, processor"),
        ('"Fork" = { kind = "passive" }', ValueError, "a class defined in the program's main script is '__main__.Fork'"),
        ('"nosuchmod.Nope" = { kind = "passive" }', ValueError, "module 'nosuchmod' cannot be imported: there is no such module on sys.path"),
        ('"models_placement.Frok" = { kind = "passive" }', ValueError, "module 'models_placement' has no class 'Frok'; did you mean 'Fork'?"),
        ('"support.Watchdog" = { kind = "passive" }', ValueError, "class 'support.Watchdog' is not a scoop.Separate class"),
        ('"models_placement.Fork" = "passive"', TypeError, "expected a table such as"),
        ('"models_placement.Fork" = { kind = "ray", memory = 1 }', ValueError, "unknown key 'memory'; the keys are kind, processor, num_cpus, num_gpus, resources"),
    ],
)
def test_a_bad_placement_file_is_an_error_at_start_up_naming_file_and_key(tmp_path, monkeypatch, entry, error, message):
    path = pyproject(tmp_path, placement=entry + "\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error) as info:
        Fork()
    text = str(info.value)
    assert message in text
    assert f"{path} [tool.scoop.placement], key {entry.split(' = ')[0].strip(chr(34))!r}" in text


def test_a_bad_scoop_toml_names_its_table_without_prefix(tmp_path, monkeypatch):
    path = write(tmp_path / "scoop.toml", '[placement]\n"nosuchmod.Nope" = {}\n')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="cannot be imported") as info:
        Fork()
    assert f"{path} [placement], key 'nosuchmod.Nope'" in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.scoop.placment]\n", "unknown table [tool.scoop.placment]; the tables are [tool.scoop.placement], [tool.scoop.ray]"),
        ("[tool.scoop.placement\n", "not valid TOML"),
        ("[tool.scoop]\nray = 3\n", "[tool.scoop.ray]: expected a table of ray.init arguments"),
    ],
)
def test_a_malformed_file_is_an_error_naming_it(tmp_path, monkeypatch, text, message):
    path = write(tmp_path / "pyproject.toml", text)
    monkeypatch.chdir(tmp_path)
    with pytest.raises((TypeError, ValueError)) as info:
        Fork()
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_key_whose_module_is_imported_later_is_checked_when_it_is(tmp_path, monkeypatch):
    # Start-up cannot import the module (side effects, cycles), so it finds it and waits.
    path = pyproject(tmp_path, placement='"lazy_models.Nope" = { kind = "passive" }\n')
    write(tmp_path / "lazy_models.py", "import scoop\n\nclass Yes(scoop.Separate):\n    pass\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lazy_models", raising=False)
    Fork()  # starts: lazy_models is on sys.path, not imported
    assert "lazy_models" not in sys.modules
    import lazy_models  # noqa: F401

    with pytest.raises(ValueError) as info:
        Fork()
    assert f"{path} [tool.scoop.placement], key 'lazy_models.Nope': module 'lazy_models' has no class 'Nope'" in str(info.value)


def test_configure_checks_its_keys_too():
    with pytest.raises(ValueError, match=r"scoop.configure\(placement=...\), key 'models_placement.Nope': module 'models_placement' has no class 'Nope'"):
        scoop.configure(placement={"models_placement.Nope": {"kind": "passive"}})
    with pytest.raises(ValueError, match="'__main__.Fork'"):
        scoop.configure(placement={"Fork": {"kind": "passive"}})


# -- python -m scoop placement -------------------------------------------------


def scoop_placement(cwd, *args):
    return run_python(["-m", "scoop", "placement", *args], cwd=cwd)


def test_the_command_shows_the_file_and_each_class(tmp_path):
    path = pyproject(
        tmp_path,
        placement=FORKS + '"models_placement.Cruncher" = { kind = "process" }\n"__main__.Window" = { kind = "passive" }\n',
        extra='\n[tool.scoop.ray]\naddress = "auto"\n',
    )
    (tmp_path / "sub").mkdir()
    result = scoop_placement(tmp_path / "sub")
    assert result.returncode == 0, describe(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"placement file: {path} [tool.scoop.placement]"
    assert '  "models_placement.Fork"     = { processor = "forks" }' in lines
    assert '  "models_placement.Cruncher" = { kind = "process" }' in lines
    assert "(a class of the program's main script: not checked)" in result.stdout
    assert '  address = "auto"' in lines
    assert result.stderr == ""


def test_the_command_shows_a_ray_entry_with_its_actors_options(tmp_path):
    pytest.importorskip("ray", reason="a ray entry needs Ray: pip install 'pyscoop[ray]'")
    pyproject(tmp_path, placement='"__main__.Trainer" = { kind = "ray", num_gpus = 1, resources = { special = 1 } }\n')
    result = scoop_placement(tmp_path)
    assert result.returncode == 0, describe(result)
    assert '  "__main__.Trainer" = { kind = "ray", num_gpus = 1, resources = { "special" = 1 } }' in result.stdout


def test_the_command_fails_on_a_bad_file_naming_file_and_key(tmp_path):
    path = pyproject(tmp_path, placement=FORKS + '"models_placement.Nope" = {}\n"nosuchmod.X" = {}\n')
    result = scoop_placement(tmp_path)
    assert result.returncode == 1, describe(result)
    assert f"error: {path} [tool.scoop.placement], key 'models_placement.Nope': module 'models_placement' has no class 'Nope'" in result.stderr
    assert f"error: {path} [tool.scoop.placement], key 'nosuchmod.X': module 'nosuchmod' cannot be imported" in result.stderr


def test_the_command_imports_what_start_up_cannot(tmp_path):
    # The module exists but lacks the class: start-up defers the check, the command makes it.
    pyproject(tmp_path, placement='"lazy_models.Nope" = {}\n')
    write(tmp_path / "lazy_models.py", "import scoop\n")
    result = scoop_placement(tmp_path)
    assert result.returncode == 1, describe(result)
    assert "module 'lazy_models' has no class 'Nope'" in result.stderr
    without_import = scoop_placement(tmp_path, "--no-import")
    assert without_import.returncode == 0, describe(without_import)
    assert "(module 'lazy_models' not imported: not checked)" in without_import.stdout


def test_the_command_fails_on_a_malformed_file(tmp_path):
    path = pyproject(tmp_path, placement='"models_placement.Fork" = { kind = "weird" }\n')
    result = scoop_placement(tmp_path)
    assert result.returncode == 1, describe(result)
    assert f"error: {path} [tool.scoop.placement], key 'models_placement.Fork': unknown kind 'weird'" in result.stderr


def test_the_command_without_a_file_says_so_and_succeeds(tmp_path):
    result = scoop_placement(tmp_path)
    assert result.returncode == 0, describe(result)
    assert result.stdout.startswith("no placement file")


def test_the_command_checks_a_given_file(tmp_path):
    path = write(tmp_path / "conf" / "scoop.toml", f"[placement]\n{FORKS}")
    result = scoop_placement(tmp_path, "--file", path)
    assert result.returncode == 0, describe(result)
    assert result.stdout.startswith(f"placement file: {path} [placement]")
    bare = write(tmp_path / "other" / "pyproject.toml", '[project]\nname = "x"\n')
    result = scoop_placement(tmp_path, "--file", bare)
    assert result.returncode == 1, describe(result)
    assert f"error: {bare} has no [tool.scoop] table" in result.stderr


def test_the_tool_without_a_command_shows_its_usage(tmp_path):
    result = run_python(["-m", "scoop"], cwd=tmp_path)
    assert result.returncode == 2
    assert "placement" in result.stderr
