-- "Iniciando Flujos de Trabajo": a process starts a workflow on the temporal worker and signals it.
local function main(order_data)
  -- Crear flujo de trabajo en worker temporal
  local pid = process.spawn_monitored("app.workflows:order_processor", "app:temporal_worker", order_data)

  -- Enviar senales al flujo de trabajo
  process.send(pid, "update", {status = "approved"})

  local event = process.events():receive()
  if event.result.error then
    return nil, event.result.error
  end
  return event.result.value
end

return { main = main }
