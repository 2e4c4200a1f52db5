local function configure(
  host,            -- the host
  port,           -- optional port
  opts




)



  local p = port or 80
  local retries = opts and opts.retries or 0
  return true, host .. ":" .. p .. "/" .. retries
end
local x --[[c]] = 41
local ok, addr = configure("h", nil, {retries = 2, backoff = function(a) return a end, headers = nil})
local long


 = {
  a = 1,
  b = "two",
}
local f = function(
  a,
  b
)

  return a - b
end
return tostring(ok) .. addr .. (x + 1) .. long.a .. long.b .. f(5, 3)
