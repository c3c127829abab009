-- wrk -s bench/by-hand/activities.lua: POST /contacts/{id}/activities agent-replied to contacts listed in IDS (one id a
-- line), a random Idempotency-Key each (TOKEN: ./pledge token agent); each connection waits DELAY_MS (0) between requests.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init(args) math.randomseed(os.time() * 100 + tid) end
local function uuid()
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x", math.random(0,65535), math.random(0,65535),
    math.random(0,65535), math.random(0,4095), math.random(32768,49151), math.random(0,65535), math.random(0,65535), math.random(0,65535))
end
request = function()
  local h = {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. os.getenv("TOKEN"), ["Idempotency-Key"]=uuid()}
  return wrk.format("POST", "/contacts/" .. ids[math.random(1, #ids)] .. "/activities", h, '{"type":"agent-replied"}')
end
response = function(status, headers, body)
  if status ~= 200 and status ~= 202 then io.stderr:write(status .. " " .. body .. "\n") end
end
function delay() return tonumber(os.getenv("DELAY_MS") or "0") end
