-- wrk -s bench/by-hand/contacts.lua: POST /contacts, each from its own customer with its own externalId (TOKEN: ./pledge token intake)
counter = 0
local thread_id = 0
function setup(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
function init(args) math.randomseed(os.time() + tid) end
request = function()
  counter = counter + 1
  local body = string.format('{"customer":{"id":"cust-u%d","name":"Load"},"channel":"chat","externalId":"wrk-%d-%d-%d","subject":"Load","body":"Where is my parcel?"}', tid * 10000000 + counter, tid, os.time(), counter)
  return wrk.format("POST", "/contacts", {["Content-Type"]="application/json", ["Authorization"]="Bearer " .. os.getenv("TOKEN")}, body)
end
