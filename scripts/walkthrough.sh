#!/usr/bin/env bash
# Drives one connection application from creation through both reviews to `distributed`, as a
# client would: tokens from `npm run -s token`, bodies from the examples that
# GET /workflows/connection-application publishes. Needs the API running (npm start).
#   BASE=http://localhost:3000 bash scripts/walkthrough.sh
set -euo pipefail
BASE=${BASE:-http://localhost:3000}
cd "$(dirname "$0")/.."

token() { npm run -s token -- "$@"; }
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log(typeof ($1)==='string'?($1):JSON.stringify($1))})"; }
call() { # method path token [body]
  local out status
  out=$(curl -sS -X "$1" "$BASE$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data-binary "$4"} -w '\n%{http_code}')
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ $status -ge 400 ]]; then echo "$1 $2 → $status: $out" >&2; exit 1; fi
  printf '%s' "$out"
}

APPLICANT=$(token --sub yamada --org 132012 --role applicant --name '山田 花子' --department 情報管理課)
PREFECTURE=$(token --sub tokyo-1 --org 130001 --role first-reviewer --name '東京 太郎' --department デジタルサービス局)
MIC=$(token --sub mic-1 --org MIC --role second-reviewer --name '総務 花子' --department 住民制度課)
DISTRIBUTOR=$(token --sub dist-1 --org MIC --role distributor)
AUDITOR=$(token --sub audit-1 --org MIC --role auditor)

definition=$(call GET /workflows/connection-application "$APPLICANT")
create=$(echo "$definition" | json 'v.create.example')
# A body registers once (登録); once it has master data (an earlier run), it applies with 変更,
# carrying the same forms.
registered=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/master-data/organizations/$(echo "$create" | json v.organizationCode)" -H "Authorization: Bearer $APPLICANT")
if [[ $registered == 200 ]]; then create=$(echo "$create" | json '({ ...v, category: "変更" })'); fi
id=$(call POST /applications "$APPLICANT" "$create" | json 'v.id')
echo "created application $id ($(echo "$create" | json v.category))"
for code in $(echo "$definition" | json 'v.categories[v.create.example.category].requiredForms.join(" ")'); do
  example=$(echo "$definition" | json "v.forms.find(f=>f.code==='$code').example")
  call PUT "/applications/$id/forms/$code" "$APPLICANT" "$example" >/dev/null
  echo "saved form $code"
done
echo "submit  → $(call POST "/applications/$id/actions/submit" "$APPLICANT" '{}' | json 'v.state+" ("+v.applicationNumber+", first review at "+v.routing.firstReviewer+")"')"
echo "queue   → $(call GET '/review-queue?stage=first' "$PREFECTURE" | json 'v.total+" waiting at "+v.org')"
echo "approve → $(call POST "/applications/$id/actions/approve" "$PREFECTURE" '{"comment":"内容を確認しました。"}' | json v.state)"
echo "approve → $(call POST "/applications/$id/actions/approve" "$MIC" '{}' | json 'v.state+" (master data v"+v.masterData.version+")"')"
# A reference distributor running beside the API may have confirmed the distribution already.
# It may do so between the read and the confirmation: a 409 that says `distributed` is that.
acknowledged="confirm → distributed (the distributor acknowledged the version)"
if [[ $(call GET "/applications/$id" "$AUDITOR" | json v.state) == distributed ]]; then echo "$acknowledged"
else
  confirmed=$(curl -sS -X POST "$BASE/applications/$id/actions/confirm-distribution" -H "Authorization: Bearer $DISTRIBUTOR" -H 'Content-Type: application/json' --data-binary '{}' -w '\n%{http_code}')
  status=${confirmed##*$'\n'}
  confirmed=${confirmed%$'\n'*}
  if [[ $status == 200 ]]; then echo "confirm → $(echo "$confirmed" | json v.state)"
  elif [[ $status == 409 && $(echo "$confirmed" | json v.state) == distributed ]]; then echo "$acknowledged"
  else echo "POST /applications/$id/actions/confirm-distribution → $status: $confirmed" >&2; exit 1; fi
fi
echo "history:"
call GET "/applications/$id/history" "$AUDITOR" | json 'v.events.map(e=>`  ${e.revision} ${e.type} by ${e.actor.role} ${e.actor.org} → ${e.stateAfter}`).join("\n")'
