-- A counter registered under `name`: counts "hit" messages and answers "get" with the count.
-- It returns (a normal exit) when its supervisor sends CANCEL.
return function(name)
  local ok, err = process.registry.register(name)
  if not ok then return nil, err end
  local count = 0
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{ inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then
        print("counter: stopping after " .. count .. " hits")
        return count
      end
    else
      local msg = r.value
      if msg:topic() == "hit" then
        count = count + 1
      elseif msg:topic() == "get" then
        process.send(msg:from(), "count", count)
      end
    end
  end
end
