-- wrk -s bench/by-hand/paced.lua: keyed.lua's contacts (KEYED=1: a random Idempotency-Key each), each connection
-- waiting DELAY_MS (20) between requests; IDS_OUT: also write each accepted contact's id to IDS_OUT-<thread>.
dofile("bench/by-hand/keyed.lua")
local out
local base_init = init
function init(args)
  base_init(args)
  if os.getenv("IDS_OUT") then out = io.open(os.getenv("IDS_OUT") .. "-" .. tid, "a") end
end
function delay() return tonumber(os.getenv("DELAY_MS") or "20") end
response = function(status, headers, body)
  if status ~= 202 and status ~= 200 then io.stderr:write(status .. " " .. body .. "\n") return end
  local id = out and body:match('"id"%s*:%s*"([^"]+)"')
  if id then out:write(id, "\n"); out:flush() end
end
