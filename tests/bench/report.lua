-- Turns run.sh's results into the markdown table: medians over the repetitions, each
-- implementation's factor behind the raw C++ baseline, lsocket behind the floor binding (floor.c:
-- the same Lua API with nothing but the syscalls behind it), lsocket against LuaSocket, the CLI
-- beside the standard tools, and each target marked met or missed.
-- usage: lua5.4 report.lua meta.txt results.jsonl cli.json
local meta_file, results_file, cli_file = arg[1], arg[2], arg[3]

local function median(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  return n % 2 == 1 and s[(n + 1) // 2] or (s[n // 2] + s[n // 2 + 1]) / 2
end

local meta = {}
for line in io.lines(meta_file) do
  local k, v = line:match("^([%w_]+)=(.*)$")
  if k then meta[k] = v end
end

-- runs[key][impl][rep] = value; errors[key][impl] = message; key = workload [+ " N=n"]
local runs, errors, units, extra, order = {}, {}, {}, {}, {}
local function slot(key)
  if not runs[key] then
    runs[key], errors[key], extra[key] = {}, {}, {}
    order[#order + 1] = key
  end
end
for line in io.lines(results_file) do
  local impl = line:match('"impl":"([^"]+)"')
  local w = line:match('"workload":"([^"]+)"')
  if impl and w then
    local n = line:match('"n":(%d+)')
    local rep = tonumber(line:match('"rep":(%d+)')) or 1
    local key = n and (w .. " N=" .. n) or w
    slot(key)
    local v = tonumber(line:match('"value":([%d%.eE+-]+)'))
    if v then
      runs[key][impl] = runs[key][impl] or {}
      runs[key][impl][rep] = v
      units[key] = line:match('"unit":"([^"]+)"')
      local lost, sent = line:match('"lost":(%-?%d+)'), line:match('"sent":(%d+)')
      if lost then
        local e = extra[key][impl] or {lost = 0, sent = 0}
        e.lost, e.sent = e.lost + tonumber(lost), e.sent + tonumber(sent)
        extra[key][impl] = e
      end
    else
      local err = line:match('"error":"(.-)"}') or "failed"
      -- A run that died before printing its N: mark every N of that workload still empty.
      errors[key][impl] = errors[key][impl] or err
    end
  end
end
-- select_scale: a whole-run failure (no N) applies to each N that has no figure.
for _, key in ipairs(order) do
  local w = key:match("^(%S+) N=")
  if w and errors[w] then
    for impl, err in pairs(errors[w]) do
      if not runs[key][impl] and not errors[key][impl] then errors[key][impl] = err end
    end
  end
end

local function values(key, impl)
  local t = {}
  for _, v in pairs(runs[key][impl] or {}) do t[#t + 1] = v end
  return t
end

-- Factor: how many times longer `impl` takes per operation than `base`, as the median of the
-- per-repetition factors (the implementations of one repetition ran back to back).
local function factor(key, impl, base)
  local lower_is_better = (units[key] or ""):find("^us") ~= nil
  local a, b = runs[key][impl] or {}, runs[key][base] or {}
  local f = {}
  for rep, va in pairs(a) do
    local vb = b[rep]
    if vb then f[#f + 1] = lower_is_better and va / vb or vb / va end
  end
  return median(f)
end

local targets = {
  tcp_pingpong = 1.15, udp_pps = 1.15, unix_pingpong = 1.15, accept_churn = 1.15,
  tcp_bulk = 1.10, select_scale = 1.30,
  -- The same table every call: the selector's epoll set must beat poll() over the whole table.
  ["select_scale N=100"] = 1.10, ["select_scale N=1000"] = 0.20,
  ["select_scale N=4000"] = 0.10, ["select_scale N=10000"] = 0.10,
}

local function num(v)
  if not v then return "—" end
  if v >= 1000 then
    local s = ("%.0f"):format(v):reverse():gsub("(%d%d%d)", "%1,"):reverse()
    return (s:gsub("^,", ""))
  end
  return v >= 100 and ("%.0f"):format(v) or v >= 10 and ("%.1f"):format(v) or ("%.2f"):format(v)
end

local notes, note_of = {}, {}
local function fails(key, impl)
  local e = errors[key][impl]
  if not e then return "—" end
  if not note_of[e] then
    notes[#notes + 1] = e
    note_of[e] = #notes
  end
  return ("fails [%d]"):format(note_of[e])
end
local names = {raw = "raw C++", floor = "floor", lsocket = "lsocket", luasocket = "LuaSocket"}
-- Issue 14: the workloads whose cost is the binding's own, within this factor of the floor.
local floor_targets = {tcp_pingpong = 1.03, unix_pingpong = 1.03, udp_pps = 1.03,
                       accept_churn = 1.03, tcp_bulk = 1.03}

local title = ({full = "full size", quick = "quick (1/10 of the counts)",
                smoke = "smoke (1/100 of the counts)"})[meta.mode] or meta.mode
print(("### Benchmarks — %s, %s repetitions, medians"):format(title, meta.reps))
print()
print(("Machine: %s, %s cores, %s; load average %s at the start%s, %s at the end.  "):format(
  meta.cpu, meta.nproc, meta.kernel, meta.load_start,
  meta.idle_start and (" (CPUs %s %% idle just before)"):format(meta.idle_start) or "",
  meta.load_end or "?"))
print(("Build: %s, commit %s; %s; %s%s.  "):format(meta.compiler, meta.commit, meta.lua, meta.date,
  meta.priority and meta.priority ~= "normal" and ("; workloads run under `" .. meta.priority .. "`")
  or ""))
print(("Command: `%s`"):format(meta.command))
print()
print("| workload | unit | raw C++ | floor | lsocket | LuaSocket | lsocket ÷ floor | lsocket ÷ raw "
  .. "| floor ÷ raw | LuaSocket ÷ raw | LuaSocket ÷ lsocket | target (lsocket ÷ raw) "
  .. "| target (lsocket ÷ floor) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
local verdicts = {}
for _, key in ipairs(order) do
  local w = key:match("^%S+")
  local m = {}
  for _, impl in ipairs {"raw", "floor", "lsocket", "luasocket"} do
    m[impl] = median(values(key, impl))
  end
  local f_ls, f_lua = factor(key, "lsocket", "raw"), factor(key, "luasocket", "raw")
  local f_fl, f_flr = factor(key, "lsocket", "floor"), factor(key, "floor", "raw")
  local ftarget, fverdict = not key:find(" N=") and floor_targets[w], "—"
  if ftarget and f_fl then
    fverdict = f_fl <= ftarget and ("≤ %.2f×: met"):format(ftarget)
      or ("≤ %.2f×: missed by %.1f %%"):format(ftarget, (f_fl / ftarget - 1) * 100)
    verdicts[#verdicts + 1] = {key .. " (÷ floor)", f_fl <= ftarget}
  elseif ftarget then
    fverdict = ("≤ %.2f×: no figure"):format(ftarget)
  end
  local f_vs = factor(key, "luasocket", "lsocket")
  local target, verdict = targets[key] or targets[w], "—"
  if target and f_ls then
    verdict = f_ls <= target and ("≤ %.2f×: met"):format(target)
      or ("≤ %.2f×: missed by %.1f %%"):format(target, (f_ls / target - 1) * 100)
    verdicts[#verdicts + 1] = {key, f_ls <= target}
  elseif target then
    verdict = ("≤ %.2f×: no figure"):format(target)
  end
  local function x(f) return f and ("%.2f×"):format(f) or "—" end
  print(("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"):format(key,
    units[key] or "", m.raw and num(m.raw) or fails(key, "raw"),
    m.floor and num(m.floor) or fails(key, "floor"),
    m.lsocket and num(m.lsocket) or fails(key, "lsocket"),
    m.luasocket and num(m.luasocket) or fails(key, "luasocket"), x(f_fl), x(f_ls), x(f_flr),
    x(f_lua), x(f_vs), verdict, fverdict))
end
print()
for i, e in ipairs(notes) do
  local where = {}
  for _, key in ipairs(order) do
    for _, impl in ipairs {"raw", "floor", "lsocket", "luasocket"} do
      if errors[key][impl] == e and not runs[key][impl] then
        where[#where + 1] = names[impl] .. " " .. key
      end
    end
  end
  print(("[%d] %s: %s.  "):format(i, table.concat(where, ", "), e))
end
print("÷ raw: time per operation relative to the raw C++ baseline (1.00× = as fast as raw "
  .. "poll() and non-blocking syscalls); ÷ floor: relative to the floor binding (tests/bench/"
  .. "floor.c: the same Lua calls with nothing but the syscalls behind them, select on poll() "
  .. "by index), so lsocket ÷ floor is what our binding costs and floor ÷ raw what the "
  .. "interpreter costs; LuaSocket ÷ lsocket: above 1 = lsocket is faster. Each ratio is the "
  .. "median of the per-repetition ratios (the implementations of one repetition run back to "
  .. "back).")
for _, key in ipairs(order) do
  local copy = median(values(key, "raw_copy"))
  if copy then
    local f_ls, f_lua = factor(key, "lsocket", "raw_copy"), factor(key, "luasocket", "raw_copy")
    print(("%s reference: raw C++ that also copies each received chunk into a new heap buffer "
      .. "(as building a Lua string must): %s %s; lsocket ÷ that = %s, LuaSocket ÷ that = %s.  ")
      :format(key, num(copy), units[key], f_ls and ("%.2f×"):format(f_ls) or "—",
        f_lua and ("%.2f×"):format(f_lua) or "—"))
  end
end
for _, key in ipairs(order) do
  local ep = median(values(key, "raw_epoll"))
  if ep then
    local f_ls = factor(key, "lsocket", "raw_epoll")
    print(("%s reference: raw C++ on an epoll set built once (the kernel's own limit): %s %s; "
      .. "lsocket ÷ that = %s.  "):format(key, num(ep), units[key], f_ls and ("%.2f×"):format(f_ls)
      or "—"))
  end
end
for _, key in ipairs(order) do
  local parts = {}
  for _, impl in ipairs {"raw", "floor", "lsocket", "luasocket"} do
    local e = extra[key][impl]
    if e then parts[#parts + 1] = ("%s %d of %d"):format(impl, e.lost, e.sent) end
  end
  if #parts > 0 then print(("%s datagrams lost (all repetitions): %s."):format(key,
    table.concat(parts, ", "))) end
end

-- hyperfine's export: one object per command, with median/mean/stddev in seconds.
local cli = {}
local f = cli_file and io.open(cli_file)
if f then
  local text = f:read("a")
  f:close()
  for block in text:gmatch('{%s*"command":.-"exit_codes"') do
    local name = block:match('"command":%s*"([^"]+)"')
    cli[name] = {
      median = tonumber(block:match('"median":%s*([%d%.eE+-]+)')) * 1000,
      mean = tonumber(block:match('"mean":%s*([%d%.eE+-]+)')) * 1000,
      sd = tonumber(block:match('"stddev":%s*([%d%.eE+-]+)') or "0") * 1000,
      runs = select(2, block:match('"times":%s*%[(.-)%]'):gsub(",", "")) + 1,
    }
  end
end
local pairs_cli = {
  {"lsock --version", "ip -V", "≤ 3 ms", function(a) return a.median <= 3 end},
  {"lsock resolve localhost --json", "getent ahosts localhost", "≤ 1.00× getent",
   function(a, b) return a.median <= b.median end},
  {"lsock ifaces --json", "ip -j addr", "≤ 1.00× ip", function(a, b) return a.median <= b.median end},
  {"lsock tcp-connect 127.0.0.1 PORT", "nc -z 127.0.0.1 PORT", "—"},
}
if next(cli) then
  print()
  print("| CLI command | median (ms) | mean ± σ (ms) | standard counterpart | median (ms) "
    .. "| lsock ÷ counterpart | target |")
  print("|---|---:|---:|---|---:|---:|---|")
  local runs
  for _, p in ipairs(pairs_cli) do
    local a, b = cli[p[1]], cli[p[2]]
    if a and b then
      runs = a.runs
      local verdict = p[3]
      if p[4] then
        local met = p[4](a, b)
        verdict = verdict .. (met and ": met" or p[3]:find("ms") and
          (": missed by %.2f ms"):format(a.median - 3) or
          (": missed by %.1f %%"):format((a.median / b.median - 1) * 100))
        verdicts[#verdicts + 1] = {p[1], met}
      end
      print(("| `%s` | %.2f | %.2f ± %.2f | `%s` | %.2f | %.2f× | %s |"):format(p[1], a.median,
        a.mean, a.sd, p[2], b.median, a.median / b.median, verdict))
    end
  end
  print()
  print(("hyperfine -N, %d runs each after a warm-up; PORT is a local listener that accepts and "
    .. "closes. `ip -V` is there as the start-up time of a small C tool."):format(runs or 0))
end

local met, missed = 0, {}
for _, v in ipairs(verdicts) do
  if v[2] then met = met + 1 else missed[#missed + 1] = v[1] end
end
print()
print(("Targets of issues 6 and 14: %d of %d met%s"):format(met, #verdicts,
  #missed > 0 and ("; missed: " .. table.concat(missed, ", ") .. ".") or "."))
