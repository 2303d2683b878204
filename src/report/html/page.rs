//! The page around the report: escaping, styles and the few lines of script that sort and
//! filter tables and open clusters, all inline so the file opens offline.

use std::fmt::Write;

/// `s` as HTML text or attribute value: every character that could end the text or start
/// markup is escaped, and so are the invisible controls and direction overrides, so a tweet
/// that says `<script>` or reverses the line around it is shown as written and runs nothing.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidirectional overrides and isolates, and other invisible controls.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
                let _ = write!(out, "&#x{:X};", c as u32);
            }
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "&#x{:X};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// An HTML page being written.
pub struct Page {
    pub html: String,
}

impl Page {
    pub fn new(title: &str) -> Page {
        let mut html = String::with_capacity(1 << 20);
        let _ = write!(
            html,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body>\n",
            esc(title)
        );
        Page { html }
    }

    pub fn push(&mut self, s: &str) {
        self.html.push_str(s);
    }

    /// A table whose columns sort on a click; `id` names it for the filter box, if any.
    /// Cells are (text, sort key): the key is what sorting compares (numbers as numbers).
    pub fn table(&mut self, id: &str, header: &[&str], rows: &[Vec<Cell>]) {
        let _ = write!(
            self.html,
            "<table class=\"sortable\" id=\"{}\"><thead><tr>",
            esc(id)
        );
        for h in header {
            let _ = write!(self.html, "<th>{}</th>", esc(h));
        }
        self.html.push_str("</tr></thead><tbody>");
        for row in rows {
            self.html.push_str("<tr>");
            for cell in row {
                match &cell.key {
                    Some(k) => {
                        let _ = write!(self.html, "<td data-key=\"{k}\">{}</td>", cell.html);
                    }
                    None if cell.text && cell.html.len() > 24 => {
                        // The whole text on hover, where a narrow column cuts it.
                        let _ = write!(self.html, "<td title=\"{0}\">{0}</td>", cell.html);
                    }
                    None => {
                        let _ = write!(self.html, "<td>{}</td>", cell.html);
                    }
                }
            }
            self.html.push_str("</tr>");
        }
        self.html.push_str("</tbody></table>\n");
    }

    pub fn finish(mut self) -> String {
        let _ = writeln!(self.html, "<script>{SCRIPT}</script></body></html>");
        self.html
    }
}

/// One table cell: its HTML (already escaped) and an optional numeric sort key.
pub struct Cell {
    pub html: String,
    pub key: Option<f64>,
    /// The cell holds escaped text only (no markup), so it can repeat as a tooltip.
    pub text: bool,
}

impl Cell {
    /// Text, escaped.
    pub fn text(s: &str) -> Cell {
        Cell {
            html: esc(s),
            key: None,
            text: true,
        }
    }

    /// A number shown as `shown`, sorted by `value`.
    pub fn num(value: f64, shown: String) -> Cell {
        Cell {
            html: esc(&shown),
            key: value.is_finite().then_some(value),
            text: false,
        }
    }

    /// Markup built by the report itself (links), with its own escaping.
    pub fn html(html: String) -> Cell {
        Cell {
            html,
            key: None,
            text: false,
        }
    }
}

const STYLE: &str = r#"
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1150px;padding:0 18px 40px;color:#1d232b}
h1{font-size:24px;margin:18px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #d7dce2;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}p.lead{color:#444;margin-top:0}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}th,td{padding:3px 8px;border-bottom:1px solid #e5e8ec;text-align:left;vertical-align:top}
th{background:#f3f5f7;white-space:nowrap}table.sortable th{cursor:pointer;user-select:none}th.asc:after{content:" \25B2"}th.desc:after{content:" \25BC"}
td[data-key]{text-align:right;font-variant-numeric:tabular-nums}
.flag{color:#fff;background:#c0392b;border-radius:3px;padding:0 5px;font-size:12px}.calm{color:#555;background:#e8ebee;border-radius:3px;padding:0 5px;font-size:12px}
details{border:1px solid #d7dce2;border-radius:6px;margin:10px 0;padding:0 12px}details[open]{padding-bottom:12px}
summary{cursor:pointer;padding:10px 0;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(480px,100%),1fr));gap:10px 22px}
.bar{position:relative;background:#eef1f4;height:14px;border-radius:3px;width:min(260px,22vw);display:inline-block;vertical-align:middle}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#2e86c1;border-radius:3px}
.bar i{position:absolute;top:-3px;bottom:-3px;width:2px;background:#c0392b}
.parts{display:block;overflow-x:auto;max-width:100%}.parts td:first-child{white-space:nowrap}.parts th{white-space:normal}
.share{display:flex;gap:8px;align-items:center;font-size:13px}.share .bar{width:180px}
.note{color:#666;font-size:12.5px}.tweet{border-left:3px solid #d7dce2;padding:2px 10px;margin:6px 0;white-space:pre-wrap;word-break:break-word}
input.filter{margin:4px 0;padding:3px 6px;width:260px}
table.members td{max-width:190px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
svg{max-width:100%;height:auto}
@media (max-width:980px){.parts td:first-child{white-space:normal;min-width:9em}.parts .bar{width:16vw}}
@media (max-width:700px){table{display:block;overflow-x:auto;max-width:100%}.bar,.share .bar{width:35vw}p,li,summary{overflow-wrap:anywhere}}
@media print{details{page-break-inside:avoid}details:not([open])>*:not(summary){display:none}input.filter{display:none}}
"#;

/// Sorting, filtering, and the page's self-test (`#selftest`): sort the clusters table by
/// score, filter the first member table, open the first folded cluster, and write what was
/// seen into `#selftest-result` for a test to read.
const SCRIPT: &str = r#"
function cellKey(td){var k=td.getAttribute('data-key');return k===null?td.textContent.toLowerCase():parseFloat(k);}
function sortTable(table,col,asc){var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=cellKey(a.cells[col]),y=cellKey(b.cells[col]);if(x===y)return 0;return (x<y?-1:1)*(asc?1:-1);});
rows.forEach(function(r){body.appendChild(r);});
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){th.className=i===col?(asc?'asc':'desc'):'';});}
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){
Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
var r=t.tBodies[0].rows[0],numeric=!!r&&!!r.cells[i]&&r.cells[i].hasAttribute('data-key');
sortTable(t,i,th.className===''?!numeric:th.className!=='asc');});});});
function filterTable(table,text){var n=0;text=text.toLowerCase();Array.prototype.forEach.call(table.tBodies[0].rows,function(r){
var show=r.textContent.toLowerCase().indexOf(text)>=0;r.style.display=show?'':'none';if(show)n++;});return n;}
Array.prototype.forEach.call(document.querySelectorAll('input.filter'),function(i){
i.addEventListener('input',function(){filterTable(document.getElementById(i.getAttribute('data-table')),i.value);});});
if(location.hash==='#selftest'){var out={};var t=document.getElementById('clusters');
if(t){var col=Array.prototype.map.call(t.tHead.rows[0].cells,function(c){return c.textContent;}).indexOf('score');
sortTable(t,col,true);var keys=Array.prototype.map.call(t.tBodies[0].rows,function(r){return parseFloat(r.cells[col].getAttribute('data-key'));});
out.sorted=keys.every(function(k,i){return i===0||keys[i-1]<=k;});out.rows=keys.length;}
var m=document.querySelector('table.members');if(m){var first=m.tBodies[0].rows[0].cells[0].textContent;
out.filtered=filterTable(m,first);out.members=m.tBodies[0].rows.length;filterTable(m,'');}
var d=document.querySelector('details:not([open])');if(d){d.open=true;out.opened=d.open;}
out.scripts=document.querySelectorAll('script').length;
var pre=document.createElement('pre');pre.id='selftest-result';pre.textContent=JSON.stringify(out);document.body.appendChild(pre);}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_never_becomes_markup() {
        assert_eq!(
            esc("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            esc("\"><img src=x onerror=a()>"),
            "&quot;&gt;&lt;img src=x onerror=a()&gt;"
        );
        assert_eq!(esc("a\u{202E}b\u{0}c"), "a&#x202E;b&#x0;c");
        assert_eq!(esc("it's & ]]>"), "it&#39;s &amp; ]]&gt;");
    }
}
