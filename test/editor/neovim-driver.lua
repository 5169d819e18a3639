-- Drives Neovim (0.7+) headless against iptables-lens for test/editor/neovim.test.ts:
--   nvim --headless -u NONE -i NONE -c 'luafile test/editor/neovim-driver.lua'
-- Loads the README's Neovim setup verbatim (IPTABLES_LENS_SNIPPET), opens a story-1 rules file
-- (IPTABLES_LENS_FILE) the way a user would, waits for the server's diagnostics, asks for a hover,
-- a completion after `-m ` and the quick fixes of the LOG warning, applies the first one, and
-- writes everything it saw as JSON to IPTABLES_LENS_OUT. Positions come from IPTABLES_LENS_INPUT.
local out = { steps = {} }
local function step(name) table.insert(out.steps, name) end

local function finish()
  local f = io.open(os.getenv('IPTABLES_LENS_OUT'), 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qall!')
end

local function lsp_diagnostic(d)
  local lsp = d.user_data and d.user_data.lsp or {}
  return {
    range = {
      start = { line = d.lnum, character = d.col },
      ['end'] = { line = d.end_lnum or d.lnum, character = d.end_col or d.col },
    },
    severity = d.severity,
    message = d.message,
    source = d.source,
    code = d.code or lsp.code,
  }
end

local ok, err = pcall(function()
  local input = vim.fn.json_decode(table.concat(vim.fn.readfile(os.getenv('IPTABLES_LENS_INPUT')), '\n'))
  out.nvim = vim.version()

  -- what a user's init.lua has: the README snippet, and filetype detection on (-u NONE leaves it off)
  dofile(os.getenv('IPTABLES_LENS_SNIPPET'))
  vim.cmd('filetype on')
  step('snippet loaded')

  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('IPTABLES_LENS_FILE')))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  step('file opened')

  local function buf_client()
    for _, c in pairs(vim.lsp.buf_get_clients(buf)) do
      if c.name == 'iptables-lens' then return c end
    end
  end
  local attached = vim.wait(15000, function() return buf_client() ~= nil and buf_client().initialized end, 50)
  if not attached then error('the iptables-lens client did not attach to the buffer') end
  local client = buf_client()
  out.server = client.server_capabilities and true or false
  step('client attached')

  vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(out.diagnostics, lsp_diagnostic(d)) end
  step('diagnostics')

  local uri = vim.uri_from_bufnr(buf)
  local hover = client.request_sync('textDocument/hover', { textDocument = { uri = uri }, position = input.hover }, 10000, buf)
  out.hover = hover and hover.result or vim.NIL
  step('hover')

  -- the user types a new rule before COMMIT, up to `-m `, and asks for completion there
  local line = input.completionLine
  vim.api.nvim_buf_set_lines(buf, line, line, false, { input.completionText })
  local completion = client.request_sync('textDocument/completion', {
    textDocument = { uri = uri },
    position = { line = line, character = #input.completionText },
  }, 10000, buf)
  out.completion = {}
  local items = completion and completion.result or {}
  if items.items then items = items.items end
  for _, item in ipairs(items) do table.insert(out.completion, item.label) end
  vim.api.nvim_buf_set_lines(buf, line, line + 1, false, {})
  step('completion')

  -- quick fix for the LOG warning, as `:lua vim.lsp.buf.code_action()` would ask for it
  vim.wait(15000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if lsp_diagnostic(d).code == input.fixCode then return true end
    end
    return false
  end, 50)
  local target
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if lsp_diagnostic(d).code == input.fixCode then target = lsp_diagnostic(d) end
  end
  if not target then error('no ' .. input.fixCode .. ' diagnostic after the edit') end
  local actions = client.request_sync('textDocument/codeAction', {
    textDocument = { uri = uri },
    range = target.range,
    context = { diagnostics = { target } },
  }, 10000, buf)
  out.actions = {}
  local chosen
  for _, a in ipairs(actions and actions.result or {}) do
    table.insert(out.actions, a.title)
    if not chosen and a.title:find(input.fixTitle, 1, true) == 1 then chosen = a end
  end
  if chosen then
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding or 'utf-16')
    out.afterFix = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  end
  step('code action')

  -- a firewall log in the same session: its own file type, the same server
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('IPTABLES_LENS_LOG')))
  local logbuf = vim.api.nvim_get_current_buf()
  out.logFiletype = vim.bo[logbuf].filetype
  vim.wait(10000, function() return vim.lsp.buf_get_clients(logbuf)[client.id] ~= nil end, 50)
  out.logSameClient = vim.lsp.buf_get_clients(logbuf)[client.id] ~= nil
  out.clients = #vim.lsp.get_active_clients()
  local loghover = client.request_sync('textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(logbuf) }, position = input.logHover }, 10000, logbuf)
  out.logHover = loghover and loghover.result or vim.NIL
  step('log opened')

  vim.lsp.stop_client(client.id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client.id) == nil end, 50)
  step('stopped')
end)

if not ok then out.error = tostring(err) end
finish()
