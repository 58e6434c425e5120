-- particles: objects with methods. Particles (x, y, vx, vy; a metatable class) get p:step(dt)
-- every step (gravity, move, bounce off the floor and the walls of a 100-wide box, losing a
-- little speed) and then p:energy(); a Vec2 class whose methods return new objects accumulates
-- the centre of mass. 1,000 particles, 2,500 steps. Prints floor(1000 x) of the last step's total
-- energy and of the centre of mass.
-- Expected output: 242283142 50017 14709
local Vec2 = {}
Vec2.__index = Vec2

function Vec2.new(x, y)
  return setmetatable({x = x, y = y}, Vec2)
end

function Vec2:add(o)
  return Vec2.new(self.x + o.x, self.y + o.y)
end

function Vec2:scale(k)
  return Vec2.new(self.x * k, self.y * k)
end

local Particle = {}
Particle.__index = Particle

function Particle.new(x, y, vx, vy)
  return setmetatable({x = x, y = y, vx = vx, vy = vy}, Particle)
end

function Particle:step(dt)
  self.vy = self.vy - 9.81 * dt
  self.x = self.x + self.vx * dt
  self.y = self.y + self.vy * dt
  if self.y < 0.0 then
    self.y = -self.y
    self.vy = -self.vy * 0.99
  end
  if self.x < 0.0 then
    self.x = -self.x
    self.vx = -self.vx * 0.99
  elseif self.x > 100.0 then
    self.x = 200.0 - self.x
    self.vx = -self.vx * 0.99
  end
end

function Particle:energy()
  return 0.5 * (self.vx * self.vx + self.vy * self.vy) + 9.81 * self.y
end

function Particle:pos()
  return Vec2.new(self.x, self.y)
end

local function run(n, steps)
  local ps = {}
  for i = 0, n - 1 do
    ps[#ps + 1] = Particle.new(i % 100 * 1.0, 10.0 + i % 7 * 5.0,
                               (i % 11) * 1.5 - 7.5, (i % 5) * 2.0)
  end
  local e = 0.0
  local c = Vec2.new(0.0, 0.0)
  for _ = 1, steps do
    e = 0.0
    c = Vec2.new(0.0, 0.0)
    for i = 1, n do
      local p = ps[i]
      p:step(0.01)
      e = e + p:energy()
      c = c:add(p:pos())
    end
  end
  c = c:scale(1.0 / n)
  return e, c
end

local e, c = run(1000, 2500)
print(string.format("%d %d %d", math.floor(e * 1000), math.floor(c.x * 1000),
                    math.floor(c.y * 1000)))
