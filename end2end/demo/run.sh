#!/usr/bin/env bash
# `make demo`: the portal next to the Entra simulator, on one machine and
# offline, with a demo organisation, a sample customer tenant and an
# onboarding link ready to walk through. Data lives in ./data-demo so the
# demo never touches ./data. Ctrl-C stops both servers.
set -euo pipefail

PORTAL=127.0.0.1:3000
SIMULATOR=127.0.0.1:4010
DATA=data-demo
EMAIL=demo@tenantry.example
PASSWORD='demo password for tenantry'
TENANT_ID=5a5a5a5a-0000-4000-8000-000000000001

for port in "${PORTAL##*:}" "${SIMULATOR##*:}"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
    echo "Port $port is already in use; stop what runs there first." >&2
    exit 1
  fi
done

mkdir -p "$DATA"
export TENANTRY_DATA_DIR=$DATA TENANTRY_SITE_ROOT=target/site TENANTRY_ADDR=$PORTAL
export TENANTRY_IDENTITY_URL=http://$SIMULATOR TENANTRY_GRAPH_URL=http://$SIMULATOR

./target/release/entra-sim --addr "$SIMULATOR" --scenario end2end/demo/scenario.json &
SIM_PID=$!
trap 'kill $SIM_PID ${PORTAL_PID:-} 2>/dev/null || true' EXIT

if [ ! -f "$DATA/tenantry.db" ]; then
  password_file=$(mktemp)
  printf '%s' "$PASSWORD" > "$password_file"
  TENANTRY_LOG=warn ./target/release/tenantry admin create --org 'Demo MSP' --email "$EMAIL" \
    --name 'Demo Technician' --password-file "$password_file"
  rm -f "$password_file"
  FRESH=1
fi

./target/release/tenantry serve &
PORTAL_PID=$!
for _ in $(seq 1 100); do
  curl -fs "http://$PORTAL/health" >/dev/null && break
  sleep 0.2
done

if [ "${FRESH:-}" = 1 ]; then
  jar=$(mktemp)
  api() { curl -fsS -b "$jar" -c "$jar" "http://$PORTAL/api/$1" "${@:2}"; }
  api login --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" >/dev/null
  tenant=$(api create_tenant --data-urlencode 'form[display_name]=Litware (demo)' \
    -d "form[tenant_id]=$TENANT_ID" -d 'form[primary_domain]=' -d 'form[cloud]=global' \
    --data-urlencode 'form[contacts]=it@litware-demo.example' \
    --data-urlencode 'form[notes]=Sample customer for the offline demo.' | tr -d '"')
  link=$(api create_onboarding_link -d "customer_tenant_id=$tenant" -d profiles=email \
    | sed -E 's/.*"link":"([^"]+)".*/\1/')
  rm -f "$jar"
  echo "$link" > "$DATA/demo-onboarding-link.txt"
fi

cat <<TEXT

  Tenantry demo on http://$PORTAL (the Entra simulator on http://$SIMULATOR)
  Staff sign-in:   $EMAIL / $PASSWORD
  Customer link:   $(cat "$DATA/demo-onboarding-link.txt" 2>/dev/null || echo "create one on the tenant's page")
  In the wizard, use Directory (tenant) ID $TENANT_ID,
  Application (client) ID 5a5a5a5a-0000-4000-8000-000000000002 and the client secret
  demo~secret.value-from-entra. The first test reports missing consent; grant it as an
  admin would in Entra, then test again:
    curl -X POST http://$SIMULATOR/_admin/apps/5a5a5a5a-0000-4000-8000-000000000002/roles \\
         -H 'content-type: application/json' -d '{"grant":["Mail.Send"]}'
  To try a generated certificate, upload the downloaded .cer to the simulator:
    curl -X POST http://$SIMULATOR/_admin/apps/5a5a5a5a-0000-4000-8000-000000000002/certificates \\
         -H 'content-type: application/json' -d "{\"der_base64\":\"\$(base64 -w0 tenantry-*.cer)\"}"
  Start again from scratch: stop, delete ./$DATA, make demo.

TEXT
wait "$PORTAL_PID"
