// Static assets of the magic-link pages, served from /auth/assets so that the
// Content-Security-Policy can forbid every inline style and script.
export const PAGE_CSS = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1c2024}
main{max-width:40rem;margin:4rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002}
h1{font-size:1.4rem;margin-top:0}
input{width:100%;box-sizing:border-box;font:14px ui-monospace,monospace;padding:.6rem;margin:.4rem 0}
button{font:inherit;padding:.5rem 1.2rem;border:0;border-radius:6px;background:#1f6feb;color:#fff;cursor:pointer}
pre{white-space:pre-wrap;word-break:break-all;background:#f0f2f4;padding:.8rem;border-radius:6px;font-size:13px}
`;

// Shows the copy button only where the Clipboard API exists; nothing here
// submits a form or acts without a click.
export const COPY_JS = `(function(){
var button=document.getElementById("copy");
if(!button||!navigator.clipboard)return;
button.hidden=false;
button.addEventListener("click",function(){
var field=document.getElementById(button.getAttribute("data-copy"));
navigator.clipboard.writeText(field.value).then(function(){button.textContent="Copied";});
});
})();
`;
