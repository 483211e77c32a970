-- wrk script: every request asks for the next address of a list, so that no two requests of a
-- run ask for the same page and no kept page can answer (each one is rendered).
-- Arguments after `--`: the file of paths (one per line), where to start in it as a fraction
-- (the warm-up starts half-way, so that the measured run never meets its pages), and wrk's
-- number of threads.

local counter = 0

function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  -- wrk's threads take turns along the list: thread k asks for k, k + threads, ...
  step = tonumber(args[3])
  position = math.floor(#paths * tonumber(args[2])) + number
end

function request()
  local path = paths[(position % #paths) + 1]
  position = position + step
  return wrk.format("GET", path)
end
