-- csvcount: CSV-like lines. Each round builds n lines of 5 comma-separated fields (a tag from a
-- table of 8 and a number below 13, chosen by a Park-Miller generator), joins the lines with
-- "\n" (table.concat), splits the text into lines and each line into fields (string.find,
-- plain, and string.sub), and counts each (column, field) pair in a table keyed by the string
-- "column:field". n = 20,000, 10 rounds. Prints the number of fields, of distinct keys (summed
-- over rounds), the count of "2:red7" (summed) and the total length of the lines.
-- Expected output: 1000000 5200 1851 6905764
local TAGS = {"red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"}

local function split(s, sep)
  local out = {}
  local pos = 1
  while true do
    local a = string.find(s, sep, pos, true)
    if not a then
      out[#out + 1] = string.sub(s, pos)
      return out
    end
    out[#out + 1] = string.sub(s, pos, a - 1)
    pos = a + #sep
  end
end

local function run(n, rounds)
  local seed = 7
  local fields, distinct, probe, total = 0, 0, 0, 0
  for r = 0, rounds - 1 do
    local lines = {}
    for i = 0, n - 1 do
      local row = {}
      for j = 0, 4 do
        seed = seed * 16807 % 2147483647
        row[#row + 1] = TAGS[seed % 8 + 1] .. tostring(seed % 13)
      end
      lines[#lines + 1] = table.concat(row, ",")
    end
    local text = table.concat(lines, "\n")
    local counts = {}
    local ls = split(text, "\n")
    for i = 1, #ls do
      local line = ls[i]
      total = total + #line
      local fs = split(line, ",")
      for col = 0, #fs - 1 do
        local key = tostring(col) .. ":" .. fs[col + 1]
        local c = counts[key] or 0
        if c == 0 then
          distinct = distinct + 1
        end
        counts[key] = c + 1
        fields = fields + 1
      end
    end
    probe = probe + (counts["2:red7"] or 0)
  end
  return fields, distinct, probe, total
end

local fields, distinct, probe, total = run(20000, 10)
print(string.format("%d %d %d %d", fields, distinct, probe, total))
