-- wrk -s bench/by-hand/activities.lua: POST /contacts/{id}/activities agent-replied to contacts listed in IDS (one id a
-- line), a random Idempotency-Key each (TOKEN: ./pledge token agent); each connection waits DELAY_MS (0) between requests.
dofile("bench/by-hand/keyed.lua") -- its threads' seeds and uuid()
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
request = function()
  local h = {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. os.getenv("TOKEN"), ["Idempotency-Key"]=uuid()}
  return wrk.format("POST", "/contacts/" .. ids[math.random(1, #ids)] .. "/activities", h, '{"type":"agent-replied"}')
end
function delay() return tonumber(os.getenv("DELAY_MS") or "0") end
