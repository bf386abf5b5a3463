# The whole-record case of decide.md for each booking in $rows, built from every booking of the
# person as exported (custodian export, slurped): an oracle written apart from the desk's C
# (src/desk/desk_whole.c) that the desk's decisions are checked against.
#   jq -c -s --arg as_of D --argjson rows '["B1",...]' --argjson request '{...}' -f whole_case.jq
def lvl: if .level == "felony" or .level == "misdemeanor" then {level} else {} end;
def cday: sub("-XX"; "-01") | sub("-XX"; "-01");
def rank: . as $c | if (.status // "unknown") == "unknown" then 0
  else (((["self_reported", "consular_notification", "document", "court_record", "federal_record"]
          | index($c.source)) // 0) + 1) * 2 + (if .verified == true then 1 else 0 end) end;
def whole($as_of):
  map(select(.booked_at[0:10] <= $as_of)) | sort_by(.booked_at, .booking_number) as $bs
  | {priors: ([$bs[] | (.prior_convictions // [])[] | select(.code != null)
               | {code} + lvl
               + (if .date then {date: (.date | cday)} else {} end)
               + (if .jurisdiction == "CA" or .jurisdiction == "federal" or .jurisdiction == "other_state" then {jurisdiction} else {} end)
               + ((.flags // {}) | with_entries(select(.value != null)))
               | select((.date // "0000") <= $as_of)]
              | unique_by([.code, .date, .jurisdiction, .level])),
     charges: (reduce ($bs[] | . as $b | (.charges // [])[] | select(.code != null)
                       | . + {imposed: ($b.sentence.imposed_on // null), bn: $b.booking_number})
               as $ch ([];
                 if $ch.case_number != null
                    and (map(select(.case_number == $ch.case_number and .code == $ch.code and .bn != $ch.bn)) | length) > 0
                 then map(if .case_number == $ch.case_number and .code == $ch.code then $ch else . end)
                 else . + [$ch] end)),
     cit: (reduce ($bs[] | .person.citizenship // empty | select(.status != null)) as $c (null;
             ($c | rank) as $r
             | if . == null or $r > .r or ($r == .r and ($c.recorded_at // "") >= .at)
               then {status: $c.status, verified: ($c.verified == true), r: $r, at: ($c.recorded_at // "")}
               else . end)),
     reg: ([$bs[] | .person.sex_arson_registrant | select(. != null)] | last),
     imm: ([$bs[] | .person.immigration_status | if type == "object" then .status else . end
            | select(. != null and IN("lawful_permanent_resident", "lawful_nonimmigrant",
                 "refugee_or_asylee", "temporary_protected_status", "undocumented", "unknown"))] | last)};
(map({key: .booking_number, value: .}) | from_entries) as $by_bn
| group_by(.person.person_id) | map(. as $p | (whole($as_of)) as $w | $p[] | {b: .booking_number, w: $w, r: .})
| map(select(.b as $b | $rows | index($b)))
| sort_by(.b)[]
| .w as $w | .r as $r
| {booking_number: .b,
   c: {jurisdiction: "us-ca", as_of: $as_of, request: $request,
       subject: ({citizenship: {status: ($w.cit.status // "unknown"), verified: ($w.cit.verified // false)},
                  release_date_public: ($r.release_date_public == true),
                  convictions: ($w.priors + [$w.charges[]
                      | select(.status == "convicted" and ((.imposed // "0000") <= $as_of))
                      | {code} + lvl + (if .imposed then {date: .imposed} else {} end)]),
                  pending_charges: [$w.charges[]
                      | select(.status == "pending" or (.status == "convicted" and ((.imposed // "0000") > $as_of)))
                      | {code, held_to_answer: (.held_to_answer == true)} + lvl],
                  sex_arson_registrant: ($w.reg == true),
                  outstanding_federal_felony_warrant: false}
                 + (if $w.imm then {immigration_status: {status: $w.imm, proof_provided: false}} else {} end))}}
