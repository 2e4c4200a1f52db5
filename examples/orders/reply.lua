-- reply(res, status, value): a JSON answer (content type, status, body), for the handlers.
local http = require("http")

return function(res, status, value)
  res:set_content_type(http.CONTENT.JSON)
  res:set_status(status)
  res:write_json(value)
end
