"""`tag list|add|add-group|rename|rename-group|retire|reactivate|delete`: the tag vocabulary
(changes by a supervisor), and `tag show|assign|unassign`: a customer's tags (any staff)."""

from __future__ import annotations

import argparse
import dataclasses
import json

from services.customers import customer_tags, tags
from services.customers.merge import customer_id_of
from services.staff.audit import local_time
from ui.cli.auth import WRITE, acting


def register(sub: argparse._SubParsersAction) -> None:
    tag = sub.add_parser(
        "tag", help="the tag vocabulary (supervisor) and customers' tags (staff)",
        description="Tags come from one vocabulary of groups (行业, 渠道, 兴趣, 客群…). Only a "
        "supervisor adds, renames, retires or deletes them; any staff gives a customer a tag or "
        "takes it off. A retired tag stays on the customers who have it and in segments, but "
        "is given to nobody new. Renaming a tag renames it in saved segments too.")
    acts = tag.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    lst = acts.add_parser("list", help="every group and tag, how many customers have each")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    lst.set_defaults(handler=_list)
    for name, what, args in (
        ("add-group", "add a tag group", ("group",)),
        ("rename-group", "rename a tag group", ("group", "new")),
        ("add", "add a tag to a group", ("group", "name")),
        ("rename", "rename a tag (customers keep it; segments follow)", ("group", "old", "new")),
        ("retire", "retire a tag: customers keep it, nobody new gets it", ("group", "name")),
        ("reactivate", "make a retired tag usable again", ("group", "name")),
        ("delete", "delete a tag no customer has (a typing mistake)", ("group", "name")),
    ):
        p = acts.add_parser(name, help=f"{what} (supervisor)")
        for arg in args:
            p.add_argument(arg, metavar=arg.upper())
        p.set_defaults(handler=EDITS[name], access=WRITE)
    show = acts.add_parser("show", help="a customer's tags, who gave each and when")
    show.add_argument("customer", metavar="CODE", help="customer code (C0001234) or id")
    show.set_defaults(handler=_show)
    for name, what in (("assign", "give a customer a tag"),
                       ("unassign", "take a tag off a customer")):
        p = acts.add_parser(name, help=what)
        p.add_argument("customer", metavar="CODE", help="customer code (C0001234) or id")
        p.add_argument("group", metavar="GROUP")
        p.add_argument("name", metavar="NAME")
        p.set_defaults(handler=_assign, assign=name == "assign", access=WRITE)


def _list(args, open_db) -> int:
    groups = tags.vocabulary(open_db().sessions)
    if args.format == "json":
        print(json.dumps([dataclasses.asdict(g) for g in groups], ensure_ascii=False, indent=2))
        return 0
    for group in groups:
        print(f"{group.name}")
        for t in group.tags:
            retired = "  已停用 retired" if not t.active else ""
            print(f"  {t.name:<12} {t.customers:>7,}{retired}")
        if not group.tags:
            print("  (no tags)")
    if not groups:
        print("no tags yet; a supervisor adds them with `tag add-group GROUP` and "
              "`tag add GROUP NAME`")
    return 0


def _add_group(args, open_db) -> int:
    group = tags.add_group(open_db().sessions, acting(args, open_db), args.group)
    print(f"added tag group {group.name}")
    return 0


def _rename_group(args, open_db) -> int:
    sessions = open_db().sessions
    group = tags.find_group(sessions, args.group)
    done = tags.rename_group(sessions, acting(args, open_db), group.id, group.version, args.new)
    print(f"renamed tag group {group.name} to {done.name}")
    return 0


def _add(args, open_db) -> int:
    sessions = open_db().sessions
    group = tags.find_group(sessions, args.group)
    tag = tags.add_tag(sessions, acting(args, open_db), group.id, args.name)
    print(f"added tag {tag.path}")
    return 0


def _rename(args, open_db) -> int:
    sessions = open_db().sessions
    tag = tags.find_tag(sessions, args.group, args.old)
    done = tags.rename_tag(sessions, acting(args, open_db), tag.id, tag.version, args.new)
    print(f"renamed tag {tag.path} to {done.path}")
    return 0


def _set_active(args, open_db, active: bool) -> int:
    sessions = open_db().sessions
    tag = tags.find_tag(sessions, args.group, args.name)
    tags.set_tag_active(sessions, acting(args, open_db), tag.id, tag.version, active)
    if active:
        print(f"reactivated tag {tag.path}")
    else:
        print(f"retired tag {tag.path}; the {tag.customers:,} customers who have it keep it")
    return 0


def _delete(args, open_db) -> int:
    sessions = open_db().sessions
    tag = tags.find_tag(sessions, args.group, args.name)
    tags.delete_tag(sessions, acting(args, open_db), tag.id, tag.version)
    print(f"deleted tag {tag.path}")
    return 0


EDITS = {
    "add-group": _add_group,
    "rename-group": _rename_group,
    "add": _add,
    "rename": _rename,
    "retire": lambda args, open_db: _set_active(args, open_db, False),
    "reactivate": lambda args, open_db: _set_active(args, open_db, True),
    "delete": _delete,
}


def _show(args, open_db) -> int:
    sessions = open_db().sessions
    customer = customer_id_of(sessions, args.customer)
    shown = customer_tags.customer_tags(sessions, customer)
    for t in shown:
        retired = "  (retired)" if not t.active else ""
        print(f"{t.path:<20} {local_time(t.tagged_at):%Y-%m-%d %H:%M}  "
              f"{t.tagged_by or '-'}{retired}")
    if not shown:
        print("no tags")
    return 0


def _assign(args, open_db) -> int:
    sessions = open_db().sessions
    customer = customer_id_of(sessions, args.customer)
    tag = tags.find_tag(sessions, args.group, args.name)
    if args.assign:
        changed = customer_tags.add_customer_tag(sessions, args.actor, customer, tag.id)
        print(f"{args.customer}: tagged {tag.path}" if changed else
              f"{args.customer}: already tagged {tag.path}; nothing changed")
    else:
        changed = customer_tags.remove_customer_tag(sessions, args.actor, customer, tag.id)
        print(f"{args.customer}: {tag.path} taken off" if changed else
              f"{args.customer}: does not have {tag.path}; nothing changed")
    return 0
