-- nbody: float arithmetic on struct fields. 8 bodies (tables with fields x y z vx vy vz mass),
-- softened gravity, every pair per step, fields read and written back; 200,000 steps.
-- Prints the total energy before and after as floor(e * 1e9).
-- Expected output: -22024461177 -22063041050
local function make_bodies(n)
  local bodies = {}
  for i = 0, n - 1 do
    bodies[i + 1] = {
      x = i * 1.5 - 5.0,
      y = (i % 3) * 2.0 - 2.0,
      z = (i % 2) * 1.0 - 0.5,
      vx = 0.0,
      vy = (i % 4) * 0.1 - 0.15,
      vz = (i % 3) * 0.05 - 0.05,
      mass = 1.0 + i * 0.25,
    }
  end
  return bodies
end

local function energy(bodies, n)
  local e = 0.0
  for i = 1, n do
    local b = bodies[i]
    e = e + 0.5 * b.mass * (b.vx * b.vx + b.vy * b.vy + b.vz * b.vz)
    for j = i + 1, n do
      local c = bodies[j]
      local dx = b.x - c.x
      local dy = b.y - c.y
      local dz = b.z - c.z
      e = e - b.mass * c.mass / math.sqrt(dx * dx + dy * dy + dz * dz + 0.01)
    end
  end
  return e
end

local function advance(bodies, n, dt)
  for i = 1, n do
    local bi = bodies[i]
    for j = i + 1, n do
      local bj = bodies[j]
      local dx = bi.x - bj.x
      local dy = bi.y - bj.y
      local dz = bi.z - bj.z
      local d2 = dx * dx + dy * dy + dz * dz + 0.01
      local mag = dt / (d2 * math.sqrt(d2))
      local mj = bj.mass * mag
      bi.vx = bi.vx - dx * mj
      bi.vy = bi.vy - dy * mj
      bi.vz = bi.vz - dz * mj
      local mi = bi.mass * mag
      bj.vx = bj.vx + dx * mi
      bj.vy = bj.vy + dy * mi
      bj.vz = bj.vz + dz * mi
    end
  end
  for i = 1, n do
    local b = bodies[i]
    b.x = b.x + dt * b.vx
    b.y = b.y + dt * b.vy
    b.z = b.z + dt * b.vz
  end
end

local function run(n, steps)
  local bodies = make_bodies(n)
  local e0 = energy(bodies, n)
  for _ = 1, steps do
    advance(bodies, n, 0.001)
  end
  local e1 = energy(bodies, n)
  return e0, e1
end

local e0, e1 = run(8, 200000)
print(string.format("%d %d", math.floor(e0 * 1e9), math.floor(e1 * 1e9)))
