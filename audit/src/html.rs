//! The report: one self-contained HTML file (inline CSS, SVG drawn here,
//! no script, no external asset), the summary of every claim first with a
//! link to its section, then one section per artefact.

use crate::manifest::RepoInfo;
use crate::util::{badge, esc};
use crate::{Claim, Section};

const STYLE: &str = "body{font-family:sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;color:#111}\
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #bbb;padding:2px 6px;vertical-align:top;text-align:left}\
th{background:#eee}.pass{background:#2a9d8f;color:#fff;padding:0 4px;font-weight:bold}.fail{background:#e63946;color:#fff;padding:0 4px;font-weight:bold}\
.bytemap{overflow-x:auto}section{border-top:2px solid #333;margin-top:2em}code{background:#f4f4f4}\
.verdict{font-size:20px;padding:6px;border:2px solid #333}.note{background:#fff8dc;padding:6px;border:1px solid #d4b106}";

/// The report's HTML.
pub fn report(claims: &[Claim], sections: &[Section], info: &RepoInfo) -> String {
    let failed = claims.iter().filter(|c| !c.passed).count();
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>XCHAT-1 audit bundle</title>");
    s.push_str(&format!("<style>{STYLE}</style></head><body>\n"));
    s.push_str("<h1>XCHAT-1 audit bundle</h1>");
    s.push_str(&format!(
        "<p>commit <code>{}</code>{} &middot; {} &middot; Cargo.lock sha256 <code>{}</code> &middot; repository {}</p>",
        esc(&info.commit),
        match info.dirty {
            Some(true) => " (tracked files modified)",
            _ => "",
        },
        esc(&info.toolchain),
        esc(&info.cargo_lock_sha256),
        esc(&info.repository)
    ));
    s.push_str("<p class=\"note\">Every figure in this report was computed by <code>cargo run --release -p xchat-audit -- bundle --out DIR</code> \
        from the code, the vectors and the repository files of this commit; none is written by hand. \
        It is technical evidence for an audit, not legal advice. How to check each claim independently: <code>audit/README.md</code>.</p>");
    s.push_str("<section id=\"summary\"><h2>Summary</h2>");
    s.push_str(&format!(
        "<p class=\"verdict\" id=\"verdict\">{}</p>",
        if failed == 0 {
            format!(
                "{} <span id=\"verdict-text\">all {} claims pass</span>",
                badge(true),
                claims.len()
            )
        } else {
            format!(
                "{} <span id=\"verdict-text\">{failed} of {} claims fail</span>",
                badge(false),
                claims.len()
            )
        }
    ));
    s.push_str("<table id=\"claims\"><thead><tr><th>claim</th><th>verdict</th><th>computed</th><th>evidence</th></tr></thead><tbody>");
    for c in claims {
        s.push_str(&format!(
            "<tr data-claim=\"{}\" data-passed=\"{}\"><td>{}<br><code>{}</code></td><td>{}</td><td>{}</td><td><a href=\"#{}\">{}</a></td></tr>",
            esc(&c.id),
            c.passed,
            esc(&c.title),
            esc(&c.id),
            badge(c.passed),
            esc(&c.detail),
            esc(&c.section),
            esc(&c.section)
        ));
    }
    s.push_str("</tbody></table>");
    s.push_str("<p>Sections: ");
    let links: Vec<String> = sections
        .iter()
        .map(|x| format!("<a href=\"#{}\">{}</a>", esc(&x.id), esc(&x.title)))
        .collect();
    s.push_str(&links.join(" &middot; "));
    s.push_str("</p></section>\n");
    for x in sections {
        s.push_str(&format!(
            "<section id=\"{}\" class=\"artefact\"><h2>{}</h2>{}</section>\n",
            esc(&x.id),
            esc(&x.title),
            x.html
        ));
    }
    s.push_str("<section id=\"end\"><p>End of report.</p></section></body></html>\n");
    s
}
