"""What a command says when something goes wrong — its error, the hint after it, a warning, a
stopped import — is said in --lang's language, whole: a Chinese line has no English sentence in
it, an English line no Chinese one (the names and commands it quotes aside). Without --lang
the system's language is used, as the window does; here that is English. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import sys

from services.imports.engine import ImportStopped
from services.store.errors import N_, Phrase, RevisitError, Said
from tests import test_staff_cli
from tests.test_settings_stored_not_valid import _write
from ui.cli.import_commands import _stopped
from ui.cli.language import said, to_stderr

cli = test_staff_cli.cli  # the CLI in-process
PASSWORDS = test_staff_cli.PASSWORDS


def _one_line(result) -> str:
    code, _, err = result
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    return lines[0]


def test_an_error_in_chinese_and_in_english(cli):
    assert _one_line(cli("--lang", "zh_CN", "segment", "show", "无此分群")) == \
        "revisit：错误：没有名为“无此分群”的分群。"
    english = "revisit: error: There is no segment named '无此分群'."
    assert _one_line(cli("--lang", "en", "segment", "show", "无此分群")) == english
    assert _one_line(cli("segment", "show", "无此分群")) == english  # this system's: English


def test_a_hint_of_nothing_found_is_in_the_same_language(cli):
    assert cli("--lang", "zh_CN", "segment", "tags") == (0, "", "还没有客户有标签。\n")
    assert cli("--lang", "en", "segment", "tags") == (0, "", "No customer has a tag yet.\n")
    code, _, err = cli("--lang", "zh_CN", "segment", "list")
    assert code == 0 and err.startswith("还没有保存的分群。现成的模板有 ")


def test_a_hint_after_the_error_is_in_the_same_language(cli, database, tmp_path):
    path = tmp_path / "seg.json"
    path.write_text(json.dumps(test_staff_cli.OLD_CARS, ensure_ascii=False), encoding="utf-8")
    assert cli("segment", "import", str(path))[0] == 0
    # A protected action on a database nobody can sign in to yet: the first supervisor's hint.
    line = _one_line(cli("--lang", "zh_CN", "segment", "delete", "老车"))
    assert line.startswith("revisit：错误：")
    assert line.endswith(" 此数据库还没有任何账号可以登录：请用 `user add 用户名 --role "
                         "supervisor` 添加第一位主管。")
    assert "nobody" not in line and "supervisor with" not in line
    line = _one_line(cli("--lang", "en", "segment", "delete", "老车"))
    assert line.startswith("revisit: error: ") and line.endswith(
        " Nobody can sign in to this database yet: add its first supervisor with "
        "`user add NAME --role supervisor`.")


def test_a_protected_read_without_a_user_names_the_way_in_chinese(cli, supervisor):
    line = _one_line(cli("--lang", "zh_CN", "audit"))
    assert line.startswith("revisit：错误：")
    assert line.endswith(" 请用 --user 用户名（或 REVISIT_USER）指定一位主管。")
    assert "signed in" not in line


def test_a_commands_note_is_in_the_same_language(cli, tmp_path):
    path = tmp_path / "满意度 回访.csv"
    path.write_text("回访日期,车牌,客户姓名,满意度,服务态度,客户意见\n"
                    "2026-11-02,粤A12345,张三,9,10,很满意\n", encoding="utf-8")
    line = _one_line(cli("--lang", "zh_CN", "import", "complaints", str(path)))
    assert line.startswith("revisit：错误：")
    assert line.endswith(f' 应使用的命令：revisit import surveys "{path}"')
    assert "looks like" not in line and "The command" not in line
    line = _one_line(cli("--lang", "en", "import", "complaints", str(path)))
    assert "looks like a satisfaction surveys file, not complaints" in line
    assert line.endswith(f' The command: revisit import surveys "{path}"')


def test_a_warning_in_chinese_says_the_settings_name_in_chinese(cli, database):
    _write(database, backups_kept="-3")
    code, _, err = cli("--lang", "zh_CN", "settings", "show", "--format", "json")
    assert code == 0
    assert err.strip().splitlines() == [
        "revisit：警告：已存储的设置“保留备份数”（backups_kept）为“-3”，不是有效值；现改用“1”。"]
    code, _, err = cli("--lang", "en", "settings", "show", "--format", "json")
    assert err.strip().splitlines() == [
        "revisit: warning: The stored setting backups kept (backups_kept) is '-3', which is not "
        "valid; '1' is used instead."]


def test_a_sign_in_warning_in_chinese(cli, database, supervisor):
    from services.staff import accounts

    accounts.add_account(database.sessions, supervisor, "chenli", "陈丽", "clerk", "first-pw")
    code, _, err = cli("--lang", "zh_CN", "segment", "list", user="chenli", password="first-pw")
    assert code == 0
    assert err.splitlines()[0] == \
        "revisit：警告：chenli 的密码是主管设置的；请用 `user passwd chenli` 设置自己的密码。"


def test_what_a_stopped_import_left_is_said_in_either_language():
    class Batch:  # the stored batch's fields the sentence reads
        id, rows_total, unfinished = 7, 12_345, True

    stop = ImportStopped(7, Batch(), file_rows=20_000)  # type: ignore[arg-type]
    line = said("zh_CN", N_("revisit: {stopped}"), stopped=_stopped(stop))
    assert line == ("revisit：导入已中止：20,000 行中的 12,345 行已存为第 7 号批次（未完成）；"
                    "再导入一次该文件即可完成，或用 `import undo 7` 撤回这些行。")
    assert said("en", N_("revisit: {stopped}"), stopped=_stopped(stop)) == (
        "revisit: import stopped: 12,345 of 20,000 rows stored as batch #7 (unfinished); "
        "import the file again to finish it, or take them back with `import undo 7`.")
    nothing = ImportStopped(None, None, None)
    assert said("zh_CN", N_("revisit: {stopped}"), stopped=_stopped(nothing)) == \
        "revisit：导入在保存任何行之前就中止了；未做任何改动。"


def test_sentences_inside_a_sentence_are_said_in_its_language():
    """An error inside a warning, a phrase after it, a label said in both languages."""
    inner = RevisitError(N_("There is no file {path}."), path="/tmp/x.xlsx")
    hint = Phrase(N_("(On the sheet {sheet}.)"), sheet="12月")
    assert said("zh_CN", N_("revisit: warning: {warning}"), hint, warning=inner) == \
        "revisit：警告：没有文件 /tmp/x.xlsx。 （在工作表 12月 上。）"
    assert said("en", N_("revisit: warning: {warning}"), hint, warning=inner) == \
        "revisit: warning: There is no file /tmp/x.xlsx. (On the sheet 12月.)"
    word = Said("保留的自动备份数", "backups kept")
    stored = RevisitError(N_("The stored setting {name} ({key}) is '{stored}', which is not "
                             "valid; '{used}' is used instead."),
                          name=word, key="backups_kept", stored="0", used="1")
    assert "“保留的自动备份数”" in said("zh_CN", N_("revisit: error: {error}"), error=stored)
    assert "backups kept" in said("en", N_("revisit: error: {error}"), error=stored)


def test_without_qt_a_failure_is_still_said_in_english(monkeypatch, capsys):
    """A computer whose Qt libraries cannot be loaded still gets the sentence, never a
    traceback."""
    monkeypatch.setitem(sys.modules, "PySide6.QtCore", None)  # import now fails
    to_stderr("zh_CN", N_("revisit: error: {error}"),
              Phrase(N_("To undo the rest and keep them: {command}"), command="import undo 3"),
              error=RevisitError(N_("There is no file {path}."), path="a.xlsx"))
    assert capsys.readouterr().err == ("revisit: error: There is no file a.xlsx. To undo the "
                                       "rest and keep them: import undo 3\n")
