-- Turns results.jsonl and hyperfine's JSON into the markdown table: medians over repetitions,
-- and each implementation's factor behind the raw C++ baseline (1.00 = as fast as raw).
-- usage: lua5.4 report.lua results.jsonl cli.json mode reps scale
local results_file, cli_file, mode, reps, scale = arg[1], arg[2], arg[3], arg[4], arg[5]

local function median(t)
  table.sort(t)
  local n = #t
  if n == 0 then return nil end
  return n % 2 == 1 and t[(n + 1) // 2] or (t[n // 2] + t[n // 2 + 1]) / 2
end

-- results[workload_key][impl] = {values...}; errors[workload_key][impl] = message
local values, errors, units, order = {}, {}, {}, {}
for line in io.lines(results_file) do
  local impl = line:match('"impl":"([^"]+)"')
  local w = line:match('"workload":"([^"]+)"')
  local n = line:match('"n":(%d+)')
  local key = n and (w .. " N=" .. n) or w
  if impl and w then
    if not values[key] then values[key], errors[key] = {}, {}; order[#order + 1] = key end
    local v = tonumber(line:match('"value":([%d%.e+-]+)'))
    if v then
      values[key][impl] = values[key][impl] or {}
      table.insert(values[key][impl], v)
      units[key] = line:match('"unit":"([^"]+)"')
    else
      errors[key][impl] = line:match('"error":"(.-)"}') or "failed"
    end
  end
end

local function machine()
  local cpu = "?"
  for l in io.lines("/proc/cpuinfo") do
    cpu = l:match("^model name%s*:%s*(.+)") or cpu
    if cpu ~= "?" then break end
  end
  local p = io.popen("nproc; uname -sr; uptime")
  local nproc, kernel, up = p:read("l"), p:read("l"), p:read("l")
  p:close()
  return ("%s, %s cores, %s; load at the end: %s"):format(cpu, nproc, kernel,
    up:match("load average: (.*)") or "?")
end

print(("### Benchmarks (%s run: %s repetitions, scale %s; medians)"):format(mode, reps, scale))
print()
print("Machine: " .. machine() .. ".  ")
print("Command: `tests/bench/run.sh" .. (mode == "full" and "" or " --" .. mode) .. "`")
print()
print("| workload | unit | raw C++ | lsocket | LuaSocket | lsocket vs raw | LuaSocket vs raw |")
print("|---|---|---:|---:|---:|---:|---:|")
local function fmt(v) return v and (v >= 100 and ("%.0f"):format(v) or ("%.2f"):format(v)) or "—" end
for _, key in ipairs(order) do
  local unit = units[key] or ""
  local lower_is_better = unit:find("^us") ~= nil
  local m = {}
  for _, impl in ipairs {"raw", "lsocket", "luasocket"} do
    m[impl] = median(values[key][impl] or {})
  end
  local function factor(impl)
    if not m[impl] then return errors[key][impl] and ("fails: " .. errors[key][impl]) or "—" end
    if not m.raw then return "—" end
    local f = lower_is_better and m[impl] / m.raw or m.raw / m[impl]
    return ("%.2f×"):format(f)
  end
  print(("| %s | %s | %s | %s | %s | %s | %s |"):format(key, unit, fmt(m.raw), fmt(m.lsocket),
    fmt(m.luasocket), factor("lsocket"), factor("luasocket")))
end
print()
print("Factor = how many times slower than the raw C++ baseline (time per operation ratio).")

local f = io.open(cli_file)
if f then
  local text = f:read("a")
  f:close()
  print()
  print("| CLI command | median (ms) | mean ± σ (ms) |")
  print("|---|---:|---:|")
  for block in text:gmatch('{%s*"command":.-"exit_codes"') do
    local name = block:match('"command":%s*"([^"]+)"')
    local mean = tonumber(block:match('"mean":%s*([%d%.e+-]+)'))
    local sd = tonumber(block:match('"stddev":%s*([%d%.e+-]+)')) or 0
    local med = tonumber(block:match('"median":%s*([%d%.e+-]+)'))
    print(("| `%s` | %.2f | %.2f ± %.2f |"):format(name, med * 1000, mean * 1000, sd * 1000))
  end
end
