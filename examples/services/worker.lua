-- A worker that reports to the counter: `jobs` hits when it starts, then one per "work" message,
-- until its supervisor sends CANCEL. If the counter is not there, it fails (and is restarted).
return function(counter, jobs)
  for _ = 1, jobs do
    local ok, err = process.send(counter, "hit")
    if not ok then return nil, err end
  end
  local inbox, events = process.inbox(), process.events()
  while true do
    local r = channel.select{ inbox:case_receive(), events:case_receive() }
    if r.channel == events then
      if r.value.kind == process.event.CANCEL then return "done" end
    elseif r.value:topic() == "work" then
      local ok, err = process.send(counter, "hit")
      if not ok then return nil, err end
    end
  end
end
