;;; emacs-driver.el --- drive Emacs + eglot against iptables-lens -*- lexical-binding: t -*-
;; For test/editor/emacs.test.ts: emacs --batch -l test/editor/emacs-driver.el
;; Loads the README's Emacs setup verbatim (IPTABLES_LENS_SNIPPET), opens a story-1 rules file as
;; a user would (find-file, eglot-ensure from the mode hook), waits for the server's diagnostics,
;; asks for a hover, completion after `-m ' (through completion-at-point) and the LOG warning's
;; quick fixes, applies the first, opens a firewall log, and writes what it saw as JSON to
;; IPTABLES_LENS_OUT. Positions come from IPTABLES_LENS_INPUT.
(require 'json)
(require 'cl-lib)

(defvar iptables-lens--out nil)
(defvar iptables-lens--steps nil)
(defvar iptables-lens--published (make-hash-table :test 'equal)
  "uri -> last diagnostics the server published, as received.")

(defun iptables-lens--step (name) (push name iptables-lens--steps))
(defun iptables-lens--put (key value) (push (cons key value) iptables-lens--out))

(defun iptables-lens--wait (pred seconds)
  "Process events until PRED is non-nil or SECONDS pass; return PRED's value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (run-hooks 'post-command-hook))
    v))

(defun iptables-lens--goto (pos)
  (goto-char (point-min))
  (forward-line (plist-get pos :line))
  (forward-char (plist-get pos :character)))

(defun iptables-lens--json (v)
  "jsonrpc's plists and vectors to what json-encode writes as objects and arrays."
  (cond ((and (consp v) (keywordp (car v)))
         (let (al) (while v (push (cons (substring (symbol-name (car v)) 1) (iptables-lens--json (cadr v))) al) (setq v (cddr v)))
              (nreverse al)))
        ((vectorp v) (vconcat (mapcar #'iptables-lens--json v)))
        ((eq v :json-false) :json-false)
        (t v)))

(condition-case err
    (let* ((input (let ((json-object-type 'plist) (json-key-type 'keyword)) (json-read-file (getenv "IPTABLES_LENS_INPUT"))))
           server uri)
      (iptables-lens--put "emacs" emacs-version)
      ;; what a user's init.el has: the README snippet (eglot comes with Emacs 29; Debian's
      ;; elpa-eglot brings it to 28 here)
      (load (getenv "IPTABLES_LENS_SNIPPET") nil t)
      (require 'eglot)
      (cl-defmethod eglot-handle-notification :before
        (_server (_method (eql textDocument/publishDiagnostics)) &key uri diagnostics &allow-other-keys)
        (puthash uri diagnostics iptables-lens--published))
      (iptables-lens--step "snippet loaded")

      (find-file (getenv "IPTABLES_LENS_FILE"))
      (iptables-lens--put "mode" (symbol-name major-mode))
      (iptables-lens--step "file opened")
      (setq server (iptables-lens--wait (lambda () (eglot-current-server)) 20))
      (unless server (error "eglot did not connect to iptables-lens-server"))
      (iptables-lens--put "languageId" (eglot--language-id server))
      (iptables-lens--step "server connected")

      (setq uri (eglot--path-to-uri (buffer-file-name)))
      (let ((diags (iptables-lens--wait (lambda () (gethash uri iptables-lens--published)) 20)))
        (iptables-lens--put "diagnostics" (iptables-lens--json diags)))
      (iptables-lens--step "diagnostics")

      (iptables-lens--goto (plist-get input :hover))
      (iptables-lens--put "hover" (iptables-lens--json
                                   (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams))))
      (iptables-lens--step "hover")

      ;; the user types a new rule before COMMIT, up to `-m ', and completes there
      (goto-char (point-min))
      (forward-line (plist-get input :completionLine))
      (insert (plist-get input :completionText))
      (save-excursion (insert "\n"))
      (eglot--signal-textDocument/didChange)
      (let* ((capf (eglot-completion-at-point))
             (labels (and capf (all-completions "" (nth 2 capf)))))
        (iptables-lens--put "completion" (vconcat (mapcar #'substring-no-properties labels))))
      (delete-region (line-beginning-position) (1+ (line-end-position)))
      (eglot--signal-textDocument/didChange)
      (iptables-lens--step "completion")

      ;; the LOG warning's quick fixes, as M-x eglot-code-actions asks for them
      (let* ((code (plist-get input :fixCode))
             (find (lambda () (cl-find-if (lambda (d) (equal (plist-get d :code) code)) (gethash uri iptables-lens--published))))
             (diag (progn (remhash uri iptables-lens--published) (iptables-lens--wait find 20)))
             (actions (and diag (jsonrpc-request server :textDocument/codeAction
                                                 (list :textDocument (eglot--TextDocumentIdentifier)
                                                       :range (plist-get diag :range)
                                                       :context (list :diagnostics (vector diag))))))
             (chosen (cl-find-if (lambda (a) (string-prefix-p (plist-get input :fixTitle) (plist-get a :title))) actions)))
        (unless diag (error "no %s diagnostic after the edit" code))
        (iptables-lens--put "actions" (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
        (when chosen
          (eglot--apply-workspace-edit (plist-get chosen :edit))
          (iptables-lens--put "afterFix" (buffer-substring-no-properties (point-min) (point-max)))))
      (iptables-lens--step "code action")

      (find-file (getenv "IPTABLES_LENS_LOG"))
      (iptables-lens--put "logMode" (symbol-name major-mode))
      (let ((log-server (iptables-lens--wait (lambda () (eglot-current-server)) 20)))
        (when log-server
          (iptables-lens--put "logLanguageId" (eglot--language-id log-server))
          (iptables-lens--goto (plist-get input :logHover))
          (iptables-lens--put "logHover" (iptables-lens--json
                                          (jsonrpc-request log-server :textDocument/hover (eglot--TextDocumentPositionParams))))))
      (iptables-lens--step "log opened")
      (dolist (s (hash-table-values eglot--servers-by-project))
        (mapc #'eglot-shutdown s))
      (iptables-lens--step "stopped"))
  (error (iptables-lens--put "error" (error-message-string err))))

(iptables-lens--put "steps" (vconcat (reverse iptables-lens--steps)))
(with-temp-file (getenv "IPTABLES_LENS_OUT")
  (insert (json-encode iptables-lens--out)))
(kill-emacs 0)
