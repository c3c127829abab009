-- wrk -s bench/by-hand/keyed.lua: POST /contacts, distinct customers; KEYED=1 adds a random UUID Idempotency-Key to each
-- (TOKEN: ./pledge token intake). Each thread seeds math.random with its own number, so threads do not repeat keys.
counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init(args) math.randomseed(os.time() * 100 + tid); keyed = os.getenv("KEYED") == "1" end
function uuid() -- a random (version 4) UUID, as front ends make keys; activities.lua uses it too
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%04x%04x", math.random(0,65535), math.random(0,65535),
    math.random(0,65535), math.random(0,4095), math.random(32768,49151), math.random(0,65535), math.random(0,65535), math.random(0,65535))
end
request = function()
  counter = counter + 1
  local body = string.format('{"customer":{"id":"cust-%d-%d","name":"Load"},"channel":"chat","subject":"Load","body":"Where is my parcel?"}', tid, math.random(0, 1000000000))
  local h = {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. os.getenv("TOKEN")}
  if keyed then h["Idempotency-Key"] = uuid() end
  return wrk.format("POST", "/contacts", h, body)
end
response = function(status, headers, body)
  if status ~= 202 and status ~= 200 then io.stderr:write(status .. " " .. body .. "\n") end
end
