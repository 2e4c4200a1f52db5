-- A stand-in payment API for running the example alone: POST /reserve and /charge answer an id
-- derived from the Idempotency-Key (so a repeated call gets the same answer).
local http = require("http")

return function()
  local req, res = http.request(), http.response()
  local key = req:header("Idempotency-Key") or "none"
  res:write_json({id = req:param("op") .. "-" .. key})
end
