-- Ask the counter service how many hits it has seen.
return function()
  local ok, err = process.send("counter", "get")
  if not ok then return nil, err end
  local msg = process.inbox():receive()
  return { hits = msg:payload():data() }
end
