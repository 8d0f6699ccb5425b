-- wrk script: GET a page of 100 messages of one room. With CHATAPI_MAX_SEQ set, after_seq is random
-- in [0, CHATAPI_MAX_SEQ - 100] (mostly pages nobody read before); otherwise always the first page.
wrk.method = "GET"
wrk.headers["X-API-Key"] = os.getenv("CHATAPI_KEY")
wrk.headers["X-User-Id"] = "bench"
local room = os.getenv("CHATAPI_ROOM")
local maxSeq = tonumber(os.getenv("CHATAPI_MAX_SEQ") or "0")

request = function()
  local after = 0
  if maxSeq > 100 then after = math.random(0, maxSeq - 100) end
  return wrk.format(nil, "/rooms/" .. room .. "/messages?after_seq=" .. after .. "&limit=100")
end
