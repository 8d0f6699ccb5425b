-- wrk script: POST a 64-byte message to one of several rooms, round-robin.
-- Environment: CHATAPI_KEY, CHATAPI_ROOMS (comma-separated ids), CHATAPI_MODE (rest|graphql).
local key = os.getenv("CHATAPI_KEY")
local mode = os.getenv("CHATAPI_MODE") or "rest"
local rooms = {}
for id in string.gmatch(os.getenv("CHATAPI_ROOMS"), "[^,]+") do rooms[#rooms + 1] = id end
local content = string.rep("x", 64)
local counter = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = key
wrk.headers["X-User-Id"] = "bench"

request = function()
  counter = counter + 1
  local room = rooms[(counter % #rooms) + 1]
  if mode == "graphql" then
    local body = '{"query":"mutation($r: ID!, $c: String!) { sendMessage(roomId: $r, content: $c) { seq } }","variables":{"r":"' .. room .. '","c":"' .. content .. '"}}'
    return wrk.format("POST", "/graphql", nil, body)
  end
  return wrk.format("POST", "/rooms/" .. room .. "/messages", nil, '{"content":"' .. content .. '"}')
end
