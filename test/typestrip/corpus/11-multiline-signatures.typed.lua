local function configure(
  host: string,            -- the host
  port: number?,           -- optional port
  opts: {
    retries: integer,
    backoff: (attempt: integer) -> number,
    --[[ nested comment ]] headers: {[string]: string}?,
  }?
): (
  boolean,
  string?
)
  local p = port or 80
  local retries = opts and opts.retries or 0
  return true, host .. ":" .. p .. "/" .. retries
end
local x --[[c]] : --[[d]] number = 41
local ok, addr = configure("h", nil, {retries = 2, backoff = function(a) return a end, headers = nil})
local long: {
  a: number,
  b: string,
} = {
  a = 1,
  b = "two",
}
local f = function(
  a: number,
  b: number
):
  number
  return a - b
end
return tostring(ok) .. addr .. (x + 1) .. long.a .. long.b .. f(5, 3)
