"""--help and click's own messages in Bahasa Indonesia: every command and option, usage lines and errors."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kawasan.cli.help_catalogue import help_texts, missing_or_stale, walk
from kawasan.cli.main import cli
from kawasan.i18n import catalogue

ENGLISH_FRAME = ("Usage:", "Options:", "Commands:", "Show this message and exit.", "[default:", "[required]")


def _help(args, lang="id"):
    res = CliRunner().invoke(cli, ["--lang", lang, *args, "--help"], prog_name="kawasan")
    assert res.exit_code == 0, res.output
    return res.output


def test_every_help_text_has_its_current_indonesian():
    """The failure names each key to add (with the English to translate) or update, for the lead at merge."""
    problems = missing_or_stale(help_texts())
    assert not problems, problems


@pytest.mark.parametrize("path", [p for p, _ in walk(cli)])
def test_help_of_every_command_is_indonesian(path):
    args = path.split()[1:]
    out = _help(args)
    for word in ENGLISH_FRAME:
        assert word not in out, f"kawasan {' '.join(args)} --help (id) still says {word!r}"
    cmd = cli
    for a in args:
        cmd = cmd.commands[a]
    idn = catalogue("id")
    texts = help_texts()
    for key in [k for k in texts if k == f"help.{path}" or k.startswith(f"help.{path} --")]:
        first = idn[key].split()[0]
        assert first in out, f"{key}: the Indonesian help is not shown"
        english = texts[key]
        if english.split()[:4] != idn[key].split()[:4]:        # texts that start with a name are alike
            assert " ".join(english.split()[:4]) not in " ".join(out.split()), f"{key}: English shown"


def test_english_help_is_clicks_own():
    out = _help(["sites", "extract"], lang="en")
    assert out.startswith("Usage: kawasan sites extract [OPTIONS] RUN_DIR")
    assert "Options:" in out and "[default: S2]" in out
    assert "Extract contiguous candidate sites" in out


def test_group_help_lists_commands_in_indonesian():
    out = _help([])
    assert "Penggunaan: kawasan [OPSI] PERINTAH [ARGUMEN]..." in out
    assert "Perintah:" in out and "Opsi:" in out
    assert "Calon lokasi: ekstraksi" in out           # sites, shortened like click shortens it


def test_lang_before_help_and_environment_choose_the_language(monkeypatch):
    res = CliRunner().invoke(cli, ["--lang", "id", "--help"], prog_name="kawasan")
    assert "Penggunaan:" in res.output
    monkeypatch.setenv("KAWASAN_LANG", "id")
    res = CliRunner().invoke(cli, ["sites", "--help"], prog_name="kawasan")
    assert "Penggunaan: kawasan sites" in res.output


@pytest.mark.parametrize("args, expected", [
    (["sites", "extract"], "Kesalahan: Argumen 'RUN_DIR' belum diberikan."),
    (["suitability", "run", "apht", "--out", "x"], "Kesalahan: Opsi '--data' wajib diisi."),
    (["stage", "update", "1", "K1", "--status", "bogus"],
     "Kesalahan: Nilai '--status' tidak sah: 'bogus' bukan salah satu dari 'not_started',"),
    (["sites", "extrct"], "Kesalahan: Perintah 'extrct' tidak dikenal. Mungkin maksudnya: extract?"),
    (["sites", "extract", "x", "--min-score", "abc"], "Kesalahan: Nilai '--min-score' tidak sah: 'abc' bukan angka."),
    (["project", "show", "0"], "Kesalahan: Nilai 'PROJECT_ID' tidak sah: 0 di luar rentang"),
    (["report", "a", "b"], "Kesalahan: Ada argumen lebih yang tidak dikenal (b)"),
    (["sites", "extract", "x", "--bogus"], "Kesalahan: Opsi tidak dikenal: --bogus."),
    (["sites", "sensitivity", "x", "-n"], "Kesalahan: Opsi '-n' memerlukan nilai."),
])
def test_usage_errors_are_indonesian(args, expected):
    res = CliRunner().invoke(cli, ["--lang", "id", *args], prog_name="kawasan")
    assert res.exit_code == 2
    assert expected in res.output, res.output
    assert "Error" not in res.output and "Usage:" not in res.output


def test_usage_error_shows_translated_usage_and_hint():
    res = CliRunner().invoke(cli, ["--lang", "id", "sites", "extract"], prog_name="kawasan")
    assert res.output.startswith("Penggunaan: kawasan sites extract [OPSI] RUN_DIR\n"
                                 "Lihat 'kawasan sites extract --help' untuk bantuan.\n")


def test_usage_errors_stay_clicks_in_english():
    res = CliRunner().invoke(cli, ["sites", "extract"], prog_name="kawasan")
    assert res.exit_code == 2
    assert "Error: Missing argument 'RUN_DIR'." in res.output and "Usage: kawasan sites extract" in res.output


def test_bad_language_is_refused_in_english():
    res = CliRunner().invoke(cli, ["--lang", "fr", "demo"], prog_name="kawasan")
    assert res.exit_code == 2 and "Invalid value for '--lang'" in res.output


def test_a_new_option_is_named_with_the_keys_to_add():
    """An option another branch adds without Indonesian help: the message says which keys to add."""
    @click.group()
    def root():
        """kawasan: where an industrial estate can go, what stands in its way, which industries have potential."""

    @root.command("newcmd")
    @click.option("--chunks", help="Chunk size in cells.")
    def newcmd(chunks):
        """A command nobody translated yet."""

    problems = missing_or_stale(help_texts(root))
    assert '"help.kawasan newcmd": "A command nobody translated yet."' in problems
    assert '"help.kawasan newcmd --chunks": "Chunk size in cells."' in problems
    assert "en.help.json" in problems and "id.help.json" in problems


def test_a_changed_english_help_is_stale():
    texts = dict(help_texts())
    key = "help.kawasan sites extract --min-class"
    texts[key] = "Cells of this class or better count as suitable."
    problems = missing_or_stale(texts)
    assert key in problems and "was: Cells of this class or better are suitable." in problems


def test_stale_indonesian_is_not_shown(monkeypatch):
    """Until it is translated again, a changed English help is shown in English rather than an outdated Indonesian."""
    cmd = cli.commands["sites"].commands["extract"]
    opt = next(p for p in cmd.params if p.name == "min_class")
    monkeypatch.setattr(opt, "help", "Cells of this class or better count as suitable.")
    out = _help(["sites", "extract"])
    assert "count as suitable" in " ".join(out.split())


SAME_IN_BOTH = {"help.kawasan sites extract --min-compactness"}   # a formula: "Polsby-Popper 4*pi*A/P^2, 0..1."


def test_no_indonesian_help_is_a_copy_of_the_english():
    en, idn = catalogue("en"), catalogue("id")
    copies = sorted(k for k in en if k.startswith("help.") and en[k] == idn.get(k) and k not in SAME_IN_BOTH)
    assert not copies, f"id.help.json repeats the English of: {copies}"
