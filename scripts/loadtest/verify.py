"""Nothing lost: compare the load test's ledger with the database.

The ledger (written by locustfile.py) holds every change the portal confirmed: each school's
last plot and production-line edit, every import confirmed (its 20 rows), every submit,
approve and return; and, apart, the attempts whose answer never came (a worker killed, the
database restarting). This reads the database and checks, per load-test school and in total:

- the plot and the line hold the last confirmed values (or one of the unanswered later ones);
- each confirmed import's rows are all there with their quantities and prices, an unanswered
  import is there completely or not at all, and no import batch is there that was never
  confirmed; the school's line count and value total follow;
- the base's yearly accounts agree with its lines (production value = sum of line values);
- each submission's status follows its last confirmed step, and the workflow records count
  exactly the confirmed steps (plus at most the unanswered ones).

Prints what it checked and every mismatch; exits 1 on any mismatch.
Usage: python scripts/loadtest/verify.py USERS_JSON LEDGER_JSON
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Sum  # noqa: E402

from labor_bases.models import BaseYearFinance, LandParcel, ProductionLine  # noqa: E402
from workstudy.models import Submission, WorkflowEvent  # noqa: E402
from workstudy.money import round_money as money  # noqa: E402  (the portal's own rounding)

IMPORT_PRODUCT = "负载导入产品"
STATUS_AFTER = {"submit": "submitted", "approve": "approved", "return": "returned"}
SEED_PLOT = {"area_mu": "10.00", "crop": "水稻"}
SEED_LINE = {"quantity": "1000.00", "unit_price": "3.00"}


def main(users_path: str, ledger_path: str) -> int:
    users = json.loads(Path(users_path).read_text())
    ledger = json.loads(Path(ledger_path).read_text())
    year = users["year"]
    problems: list[str] = []
    checked = Counter()

    principals = users["principals"]
    plots = {p.pk: p for p in LandParcel.objects.filter(pk__in=[u["plot"] for u in principals])}
    lines = {ln.pk: ln for ln in ProductionLine.objects.filter(pk__in=[u["line"] for u in principals])}
    school_ids = [u["school_id"] for u in principals]
    by_school = defaultdict(list)
    for line in ProductionLine.objects.filter(base__school_id__in=school_ids, year_id=year).select_related("base"):
        by_school[line.base.school_id].append(line)
    finances = {
        f.base.school_id: f
        for f in BaseYearFinance.objects.filter(base__school_id__in=school_ids, year_id=year).select_related("base")
    }

    expected_lines_total = 0
    expected_value_total = Decimal("0")
    for user in principals:
        code, sid = user["school"], user["school_id"]
        record = ledger["schools"].get(code, {})

        # The plot and the line: the last confirmed values, or one of the unanswered later ones.
        for kind, obj, seed, fields in (
            ("plot", plots.get(user["plot"]), SEED_PLOT, ("area_mu", "crop")),
            ("line", lines.get(user["line"]), SEED_LINE, ("quantity", "unit_price")),
        ):
            slot = record.get(kind, {"value": None, "maybe": []})
            allowed = [slot["value"] or seed, *slot["maybe"]]
            if obj is None:
                problems.append(f"{code}: the {kind} is gone")
                continue
            actual = {f: str(getattr(obj, f)) for f in fields}
            if actual not in [{f: str(v[f]) for f in fields} for v in allowed]:
                problems.append(
                    f"{code}: {kind} holds {actual}, the portal confirmed {allowed[0]}"
                    + (f" (or unanswered {allowed[1:]})" if allowed[1:] else "")
                )
            checked[f"{kind} values"] += 1
        line = lines.get(user["line"])
        if line is not None and line.value != money(line.quantity * line.unit_price):
            problems.append(f"{code}: line value {line.value} is not quantity x price")

        # Imports: each batch (grade) complete, or absent when its answer never came.
        in_db = defaultdict(dict)
        for row in by_school[sid]:
            if row.product.startswith(IMPORT_PRODUCT):
                in_db[row.grade][row.product] = row
        confirmed = {b["batch"]: b["rows"] for b in record.get("imports", [])}
        uncertain = {b["batch"]: b["rows"] for b in record.get("imports_uncertain", [])}
        present = 0
        for batch, rows in [*confirmed.items(), *uncertain.items()]:
            found = in_db.pop(batch, {})
            if not found and batch in uncertain:
                continue
            if len(found) != len(rows):
                problems.append(
                    f"{code}: import {batch} has {len(found)} of its {len(rows)} rows"
                    + (" (unanswered confirm: must be all or none)" if batch in uncertain else "")
                )
            for row in rows:
                db = found.get(row["product"])
                if db is None:
                    continue
                if (str(db.quantity), str(db.unit_price), db.unit) != (row["quantity"], row["unit_price"], row["unit"]):
                    problems.append(
                        f"{code}: import {batch} {row['product']} holds {db.quantity} x {db.unit_price} "
                        f"{db.unit}, the file had {row['quantity']} x {row['unit_price']} {row['unit']}"
                    )
                expected_value_total += money(Decimal(row["quantity"]) * Decimal(row["unit_price"]))
            present += len(rows)
            checked["import batches"] += 1
            checked["imported rows"] += len(rows)
        for batch, found in in_db.items():
            problems.append(f"{code}: {len(found)} imported rows of batch {batch} that were never confirmed")
        want = 1 + present
        if len(by_school[sid]) != want:
            problems.append(f"{code}: {len(by_school[sid])} production lines, expected {want}")
        expected_lines_total += want
        if line is not None:
            expected_value_total += line.value
        finance = finances.get(sid)
        total = sum((row.value for row in by_school[sid]), Decimal("0"))
        if finance is None or finance.production_value != total:
            problems.append(
                f"{code}: the accounts' production value {getattr(finance, 'production_value', None)} "
                f"is not the lines' total {total}"
            )
        checked["schools"] += 1

    # Workflow: status after the last confirmed step; events count the confirmed steps.
    submissions = {s.pk: s for s in Submission.objects.filter(school_id__in=school_ids, year_id=year)}
    # Staff review only the load-test schools (the grid searched by their name), so every
    # submission the ledger names must be one of them.
    events = defaultdict(Counter)
    for row in (
        WorkflowEvent.objects.filter(school_id__in=school_ids, year_id=year).values("school_id", "action").annotate(n=Count("id"))
    ):
        events[row["school_id"]][row["action"]] = row["n"]
    recorded = {int(pk): r for pk, r in ledger["submissions"].items()}
    totals = Counter()
    for pk, submission in submissions.items():
        record = recorded.get(pk, {"steps": [], "uncertain": []})
        steps = sorted(record["steps"], key=lambda s: s["at"])
        confirmed = Counter(s["action"] for s in steps)
        maybe = Counter(s["action"] for s in record["uncertain"])
        totals.update(confirmed)
        expected = STATUS_AFTER[steps[-1]["action"]] if steps else "draft"
        allowed = {expected} | {STATUS_AFTER[s["action"]] for s in record["uncertain"] if not steps or s["at"] > steps[-1]["at"]}
        if submission.status not in allowed:
            problems.append(
                f"submission {pk} ({submission.school_id}): status {submission.status}, "
                f"the portal confirmed {expected} ({len(steps)} steps)"
            )
        for action in ("submit", "approve", "return"):
            have = events[submission.school_id][action]
            if not confirmed[action] <= have <= confirmed[action] + maybe[action]:
                problems.append(
                    f"submission {pk}: {have} '{action}' records, the portal confirmed {confirmed[action]}"
                    + (f" (+{maybe[action]} unanswered)" if maybe[action] else "")
                )
        checked["submissions"] += 1
    unknown = set(recorded) - set(submissions)
    if unknown:
        problems.append(f"the ledger names submissions that are not load-test schools': {sorted(unknown)[:5]}")

    # Totals over all load-test schools.
    agg = ProductionLine.objects.filter(base__school_id__in=school_ids, year_id=year).aggregate(n=Count("id"), v=Sum("value"))
    if agg["n"] != expected_lines_total:
        problems.append(f"total: {agg['n']} production lines, expected {expected_lines_total}")
    if (agg["v"] or 0) != expected_value_total:
        problems.append(f"total: production value {agg['v']}, expected {expected_value_total}")

    print(
        f"verify: {checked['schools']} schools, {checked['plot values']} plots and {checked['line values']} lines "
        f"edited or seeded, {checked['import batches']} import batches ({checked['imported rows']} rows), "
        f"{checked['submissions']} submissions; confirmed steps: {dict(totals)}; "
        f"requests without an answer: {ledger.get('requests_without_answer', 0)}"
    )
    print(
        f"verify: database totals: {agg['n']} lines worth {agg['v']} (expected {expected_lines_total} worth "
        f"{expected_value_total})"
    )
    if problems:
        print(f"verify: FAIL, {len(problems)} mismatch(es) between what the portal confirmed and the database:")
        for problem in problems[:50]:
            print(f"  - {problem}")
        return 1
    print("verify: OK, nothing lost: every confirmed change is in the database and nothing else is")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.splitlines()[-1])
    sys.exit(main(sys.argv[1], sys.argv[2]))
