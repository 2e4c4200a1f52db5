#!/bin/sh
# Re-record the example workflows' golden files (run from the repository root after `npm run build`).
# Each file is a recorded run: `wippy test examples/workflows/goldens --registry examples/workflows`
# replays them all against the current code. See docs/golden.md.
set -e
W="node bin/wippy.js test --registry examples/workflows"
G=examples/workflows/goldens
CHARGE='{"id": "ch_test0001", "amount": 42, "declined": false}'

$W --record app.workflows:payment --input '{"amount": 42, "card": "4242"}' \
   --stub app.api:charge_card="$CHARGE" -o $G/payment.golden.json
$W --record app.workflows:saga --input '{"items": ["book"], "amount": 30, "order": "o-1"}' \
   -o $G/saga-success.golden.json
$W --record app.workflows:saga --input '{"items": ["book", "pen"], "amount": 30, "order": "no-address"}' \
   -o $G/saga-compensation.golden.json
$W --record app.workflows:saga --input '{"items": ["book"], "amount": 5000, "order": "o-2"}' \
   -o $G/saga-payment-declined.golden.json
$W --record app.workflows:approval --input '{"order_id": "o-1"}' \
   --signal decision='{"approved": true}' -o $G/approval-approved.golden.json
$W --record app.workflows:approval --input '{"order_id": "o-2"}' \
   --signal decision='{"approved": false}' -o $G/approval-rejected.golden.json
$W --record app.workflows:order_processor --input '{"order_id": "o-7", "amount": 12}' \
   --stub app.api:charge_card='{"id": "ch_test0007", "amount": 12, "declined": false}' \
   --signal update='{"status": "approved"}' -o $G/order-processor.golden.json
# The typed versions (examples/workflows/typed) of the same workflows.
$W --record app.typed:payment --input '{"amount": 42, "card": "4242"}' \
   --stub app.api:charge_card="$CHARGE" -o $G/typed-payment.golden.json
$W --record app.typed:saga --input '{"items": ["book"], "amount": 30, "order": "no-address"}' \
   -o $G/typed-saga-compensation.golden.json
$W --record app.typed:approval --input '{"order_id": "o-3"}' \
   --signal decision='{"approved": true}' -o $G/typed-approval.golden.json
