#!/usr/bin/env bash
# CLI contract of `custodian decide` and `custodian policy` (shared/spec/decide.md).
set -euo pipefail
source "$CUST_SOURCE_DIR/tests/integration/lib/common.sh"
FX="$CUST_SOURCE_DIR/tests/policy/fixtures"

cat >"$T/case.json" <<'JSON'
{"jurisdiction": "us-ca", "as_of": "2025-07-17",
 "request": {"kind": "detainer", "asks": ["hold", "notify"], "items": ["release_date", "charges"]},
 "subject": {"citizenship": {"status": "non_citizen", "verified": false},
   "convictions": [{"code": "PC 211", "level": "felony", "date": "2016-03-02", "jurisdiction": "CA"}],
   "pending_charges": [{"code": "PC 245(a)(1)", "level": "felony", "held_to_answer": true}]}}
JSON

# decide: exit 0 and one JSON object with the contract's fields
expect_exit 0 "$CUSTODIAN" decide "$T/case.json"
[ "$(jq -r '.actions.hold.verdict' "$T/out")" = prohibited ] || fail "hold"; ok
[ "$(jq -r '.actions.notify.verdict' "$T/out")" = permitted ] || fail "notify"; ok
[ "$(jq -r '.policy.version' "$T/out")" = 2018-01-01 ] || fail "version"; ok
[ "$(jq -r '.policy.sha256 | length' "$T/out")" = 64 ] || fail "sha256"; ok
[ "$(jq -r '.trace | length > 3' "$T/out")" = true ] || fail "trace"; ok
[ "$(jq -r '[.duties[].duty] | index("serve_copy_to_subject") != null' "$T/out")" = true ] || fail duty; ok
# stdin, --policy override, --no-trace
expect_exit 0 "$CUSTODIAN" decide --policy us-tx --no-trace - <"$T/case.json"
[ "$(jq -r '.actions.hold.verdict + " " + (.trace|length|tostring)' "$T/out")" = "required 0" ] || fail "tx"; ok
# the same detainer in Florida and under the federal default
# Florida: a detainer counts (908.102(2)) only with an I-200 or I-205
jq '.request.accompanying_warrant = "I-200"' "$T/case.json" >"$T/case-fl.json"
expect_exit 0 "$CUSTODIAN" decide --policy us-fl "$T/case-fl.json"
[ "$(jq -r .actions.hold.verdict "$T/out")" = required ] || fail fl; ok
expect_exit 0 "$CUSTODIAN" decide --policy us-fl "$T/case.json"
[ "$(jq -r '.actions.hold.verdict + " " + (.needs | join(","))' "$T/out")" = "permitted request.accompanying_warrant" ] || fail "fl without warrant"; ok
expect_exit 0 "$CUSTODIAN" decide --policy us-federal-default "$T/case.json"
[ "$(jq -r .actions.hold.verdict "$T/out")" = permitted ] || fail fed; ok
# policy given as a file
expect_exit 0 "$CUSTODIAN" decide --policy "$CUST_SOURCE_DIR/policies/us-tx.policy" "$T/case.json"

# invalid case: exit 2, nothing on stdout, one "json.path: reason" line per problem
jq '.subject.convictions[0].date = "03/02/2016" | .request.kind = "warrant"' "$T/case.json" >"$T/bad.json"
expect_exit 2 "$CUSTODIAN" decide "$T/bad.json"
[ ! -s "$T/out" ] || fail "stdout not empty on invalid case"; ok
grep -qxF "$T/bad.json: case.request.kind: unknown kind 'warrant' (one of: detainer, notification_request, transfer_request, administrative_warrant, judicial_warrant, judicial_probable_cause, interview_request, information_request, administrative_subpoena, court_order)" "$T/err" || fail "kind line names the file and the kinds"; ok
grep -qxF "$T/bad.json: case.subject.convictions[0].date: not a date (YYYY-MM-DD)" "$T/err" || fail "date line"; ok
[ "$(wc -l <"$T/err")" -eq 2 ] || fail "expected exactly 2 problem lines"; ok
echo '{"jurisdiction": "us-ca", "request": ' >"$T/broken.json"
expect_exit 2 "$CUSTODIAN" decide "$T/broken.json"
[ ! -s "$T/out" ] || fail "stdout not empty on bad JSON"; ok
# a conviction dated after as_of: invalid input (a decision rests on what was true on its day)
jq '.as_of = "2015-06-01"' "$T/case.json" >"$T/later.json"
expect_exit 2 "$CUSTODIAN" decide "$T/later.json"
[ ! -s "$T/out" ] || fail "stdout not empty on a later conviction"; ok
grep -qxF "$T/later.json: case.subject.convictions[0].date: after as_of" "$T/err" || fail "after as_of line"; ok
jq '.as_of = "1990-01-01" | .subject.convictions = []' "$T/case.json" >"$T/old.json"
expect_exit 2 "$CUSTODIAN" decide "$T/old.json"
grep -q "before the first version of policy 'us-ca'" "$T/err" || fail "first version"; ok
jq '.jurisdiction = "us-zz"' "$T/case.json" >"$T/zz.json"
expect_exit 2 "$CUSTODIAN" decide "$T/zz.json"
grep -qF "$T/zz.json: case.jurisdiction: " "$T/err" || fail "unknown jurisdiction"; ok
# a missing or broken policy named by --policy is exit 1
expect_exit 1 "$CUSTODIAN" decide --policy us-zz "$T/case.json"
expect_exit 1 "$CUSTODIAN" decide --policy "$FX/syntax.policy" "$T/case.json"
expect_exit 0 "$CUSTODIAN" decide --help

# --batch: one decision per line, invalid lines reported in place, exit 2 if any invalid
{ jq -c . "$T/case.json"; jq -c '.jurisdiction = "us-tx"' "$T/case.json"; jq -c . "$T/bad.json";
  jq -c '.jurisdiction = "us-ca" | .request.kind = "transfer_request" | del(.request.asks)' "$T/case.json"; } >"$T/cases.jsonl"
expect_exit 2 "$CUSTODIAN" decide --batch "$T/cases.jsonl"
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "batch lines"; ok
[ "$(jq -sr '[.[0].actions.hold.verdict, .[1].actions.hold.verdict, (.[2].line|tostring), .[3].actions.transfer.rule] | join(",")' "$T/out")" = "prohibited,required,3,ca.transfer.trust-act" ] || fail "batch content"; ok
grep -qF "$T/cases.jsonl:3: case.request.kind: unknown kind 'warrant'" "$T/err" || fail "batch stderr names FILE:LINE"; ok
head -2 "$T/cases.jsonl" >"$T/good.jsonl"
expect_exit 0 "$CUSTODIAN" decide --batch "$T/good.jsonl"

# policy check: every shipped policy passes; bad fixtures fail with a counterexample
expect_exit 0 "$CUSTODIAN" policy check
[ "$(grep -c ': ok - ' "$T/out")" -eq 4 ] || fail "expected 4 shipped policies checked"; ok
grep -q "^policy us-ca: ok - .*no verified citizen held, arrested or transferred" "$T/out" || fail "citizen property"; ok
# the illustrative overlay (policies/examples/) passes, with the overlay property
EX="$CUST_SOURCE_DIR/policies/examples/us-ca/los-angeles.policy"
expect_exit 0 "$CUSTODIAN" policy check "$EX"
grep -q "every effect the overlay forbids is forbidden for every civil request kind" "$T/out" || fail "overlay property"; ok
# an overlay that withholds a release date only for some request kinds is refused by the check
expect_exit 1 "$CUSTODIAN" policy check "$FX/overlay-by-kind.policy"
grep -q "an overlay forbids 'notify' for another request kind" "$T/out" || fail "overlay by kind"; ok
# a policy that lets a verified citizen be held is refused by the check
expect_exit 1 "$CUSTODIAN" policy check "$FX/citizen-held.policy"
grep -q "verified citizen: hold permitted (rule x.request)" "$T/out" || fail "citizen held"; ok
expect_exit 1 "$CUSTODIAN" policy check "$FX/conflict.policy"
grep -q '^counterexample: .*sex_arson_registrant = true' "$T/out" || fail "counterexample"; ok
expect_exit 1 "$CUSTODIAN" policy check "$FX/gap.policy"
grep -q "gives no verdict for" "$T/out" || fail "gap"; ok
# the loader refuses an overlay that widens the state policy, or overrides a state rule
expect_exit 1 "$CUSTODIAN" policy check "$FX/widen.policy"
grep -q "widens the state policy: 'hold permitted'" "$T/err" || fail "widen"; ok
expect_exit 1 "$CUSTODIAN" policy check "$FX/override-state.policy"
grep -q "cannot override state rule 'ca.interview'" "$T/err" || fail "override"; ok
expect_exit 1 "$CUSTODIAN" policy show "$FX/syntax.policy"
grep -q "syntax.policy:4:29: unknown name 'hold'" "$T/err" || fail "line:col"; ok

# policy show: rules in force with citations, per date
expect_exit 0 "$CUSTODIAN" policy show us-ca --as-of 2016-06-01
grep -q '^  ca2014.hold$' "$T/out" || fail "2014 rule in force"; ok
! grep -q '^  ca.hold$' "$T/out" || fail "2018 rule shown in 2016"; ok
grep -q "Cal. Gov. Code § 7282.5(a) (as enacted by AB 4" "$T/out" || fail "citation"; ok
expect_exit 0 "$CUSTODIAN" policy show "$EX" --json
[ "$(jq -r '[.rules[] | select(.overlay)] | length' "$T/out")" = 2 ] || fail "overlay rules"; ok
expect_exit 2 "$CUSTODIAN" policy show us-ca --as-of 2025-13-01

# policy explain: sentences a clerk can read
expect_exit 0 "$CUSTODIAN" policy explain "$T/case.json"
grep -q '^- The jail must not hold (prohibited).' "$T/out" || fail "explain hold"; ok
grep -q 'The jail may give out the release_date' "$T/out" || fail "explain item"; ok
expect_exit 2 "$CUSTODIAN" policy explain "$T/bad.json"
# a duty's trigger as the desk gives it: the rule's (notify_given), else the law's table's
# (duty-deadlines.csv: report_transfer_to_state on transfer_done), never "due now" by omission
expect_exit 0 "$CUSTODIAN" policy explain "$T/case.json"
grep -q '^Duty: notice_to_subject_and_attorney, when notify_given ' "$T/out" ||
  fail "the rule's trigger: $(grep '^Duty' "$T/out")"; ok
cat >"$T/jw.json" <<'JSON'
{"jurisdiction": "us-ca", "as_of": "2025-07-17",
 "request": {"kind": "judicial_warrant", "asks": ["transfer"], "items": []},
 "subject": {"citizenship": {"status": "non_citizen", "verified": false}}}
JSON
expect_exit 0 "$CUSTODIAN" policy explain "$T/jw.json"
grep -q '^Duty: report_transfer_to_state, when transfer_done (rule ca.report-transfer)\.$' \
  "$T/out" || fail "the table's trigger: $(grep '^Duty' "$T/out")"; ok
pass
