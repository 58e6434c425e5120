-- floatgrid: a small float function f(x, y) called per element of nested loops; the results are
-- pushed onto a fresh array per row, the rows onto an array per round, then everything is summed
-- in order. 500 x 500 points, 80 rounds. Prints floor(total * 1000).
-- Expected output: 7772306559
local function f(x, y)
  return (x * y + 1.5) / (x * x + y * y + 1.0)
end

local function run(n, m, rounds)
  local total = 0.0
  for r = 0, rounds - 1 do
    local rows = {}
    for i = 0, n - 1 do
      local x = i * 0.01 + r * 0.001
      local row = {}
      for j = 0, m - 1 do
        row[#row + 1] = f(x, j * 0.02)
      end
      rows[#rows + 1] = row
    end
    for i = 1, #rows do
      local row = rows[i]
      local s = 0.0
      for j = 1, #row do
        s = s + row[j]
      end
      total = total + s
    end
  end
  return total
end

print(string.format("%d", math.floor(run(500, 500, 80) * 1000)))
