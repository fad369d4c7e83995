//! HTML laid out with its styles: html2text's rich output (text tagged
//! with what it is) turned into plain text and [`StyleRun`]s, so the
//! reader shows bold, italics, headings and links as styles rather than
//! `**marks**`. Headings carry no annotation in html2text, only a prefix:
//! the decorator gives them a private mark that is taken out here.

use html2text::render::{RichAnnotation, RichDecorator, TaggedLine, TextDecorator};

use crate::mail::view::{StyleRun, TextStyle};

/// Put before each heading line by the decorator, taken out again. A
/// private-use character: mail text that holds one only makes its line
/// bold.
const HEADING_MARK: char = '\u{e000}';

/// html2text's rich decorator, with headings marked instead of `## `.
#[derive(Clone, Debug)]
pub struct Styled(RichDecorator);

impl Default for Styled {
    fn default() -> Self {
        Styled(RichDecorator::new())
    }
}

impl TextDecorator for Styled {
    type Annotation = RichAnnotation;

    fn decorate_link_start(&mut self, url: &str) -> (String, RichAnnotation) {
        self.0.decorate_link_start(url)
    }
    fn decorate_link_end(&mut self) -> String {
        self.0.decorate_link_end()
    }
    fn decorate_em_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_em_start()
    }
    fn decorate_em_end(&self) -> String {
        self.0.decorate_em_end()
    }
    fn decorate_strong_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_strong_start()
    }
    fn decorate_strong_end(&self) -> String {
        self.0.decorate_strong_end()
    }
    fn decorate_strikeout_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_strikeout_start()
    }
    fn decorate_strikeout_end(&self) -> String {
        self.0.decorate_strikeout_end()
    }
    fn decorate_code_start(&self) -> (String, RichAnnotation) {
        self.0.decorate_code_start()
    }
    fn decorate_code_end(&self) -> String {
        self.0.decorate_code_end()
    }
    fn decorate_preformat_first(&self) -> RichAnnotation {
        self.0.decorate_preformat_first()
    }
    fn decorate_preformat_cont(&self) -> RichAnnotation {
        self.0.decorate_preformat_cont()
    }
    fn decorate_image(&mut self, src: &str, title: &str) -> (String, RichAnnotation) {
        self.0.decorate_image(src, title)
    }
    fn header_prefix(&self, _level: usize) -> String {
        HEADING_MARK.to_string()
    }
    fn quote_prefix(&self) -> String {
        self.0.quote_prefix()
    }
    fn unordered_item_prefix(&self) -> String {
        self.0.unordered_item_prefix()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        self.0.ordered_item_prefix(i)
    }
    fn make_subblock_decorator(&self) -> Self {
        self.clone()
    }
    // Colours are the sender's: the theme decides here.
    fn push_colour(&mut self, _: html2text::Colour) -> Option<RichAnnotation> {
        None
    }
    fn pop_colour(&mut self) -> bool {
        false
    }
    fn push_bgcolour(&mut self, _: html2text::Colour) -> Option<RichAnnotation> {
        None
    }
    fn pop_bgcolour(&mut self) -> bool {
        false
    }
}

/// Laid-out text and its styled runs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Laid {
    pub text: String,
    pub styles: Vec<StyleRun>,
}

fn style_of(tags: &[RichAnnotation]) -> (TextStyle, Option<&str>) {
    let mut style = TextStyle::default();
    let mut target = None;
    for t in tags {
        style = style.with(match t {
            RichAnnotation::Strong => TextStyle::STRONG,
            RichAnnotation::Emphasis => TextStyle::EMPHASIS,
            RichAnnotation::Strikeout => TextStyle::STRIKE,
            RichAnnotation::Code | RichAnnotation::Preformat(_) => TextStyle::CODE,
            RichAnnotation::Link(url) => {
                target = Some(url.as_str());
                TextStyle::LINK
            }
            _ => TextStyle::default(),
        });
    }
    (style, target)
}

/// The lines as text (trailing spaces trimmed) and runs; runs of the same
/// style and target next to each other are one.
pub fn flatten(lines: &[TaggedLine<Vec<RichAnnotation>>]) -> Laid {
    let mut out = Laid::default();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.text.push('\n');
        }
        let heading = line.tagged_strings().any(|ts| ts.s.contains(HEADING_MARK));
        let line_start = out.text.len();
        let mut line_runs: Vec<StyleRun> = Vec::new();
        for ts in line.tagged_strings() {
            let (mut style, target) = style_of(&ts.tag);
            if heading {
                style = style.with(TextStyle::HEADING);
            }
            let start = out.text.len();
            // html2text also strikes through with combining marks; the
            // style does that here.
            let strike = style.contains(TextStyle::STRIKE);
            out.text.extend(
                ts.s.chars()
                    .filter(|c| *c != HEADING_MARK && !(strike && *c == '\u{336}')),
            );
            let end = out.text.len();
            if style.is_plain() || start == end {
                continue;
            }
            match line_runs.last_mut() {
                Some(last)
                    if last.end == start
                        && last.style == style
                        && last.target.as_deref() == target =>
                {
                    last.end = end;
                }
                _ => line_runs.push(StyleRun {
                    start,
                    end,
                    style,
                    target: target.map(str::to_string),
                }),
            }
        }
        // Trailing spaces go, and runs with them.
        let kept = out.text[line_start..].trim_end().len();
        out.text.truncate(line_start + kept);
        let end = out.text.len();
        for mut r in line_runs {
            r.end = r.end.min(end);
            if r.start < r.end {
                out.styles.push(r);
            }
        }
    }
    out
}

/// `runs` moved by `by` bytes, for text placed after other text.
pub fn shifted(runs: &[StyleRun], by: usize) -> impl Iterator<Item = StyleRun> + '_ {
    runs.iter().map(move |r| StyleRun {
        start: r.start + by,
        end: r.end + by,
        ..r.clone()
    })
}

/// The runs that lie within the first `len` bytes, cut there.
pub fn within(runs: Vec<StyleRun>, len: usize) -> Vec<StyleRun> {
    runs.into_iter()
        .filter(|r| r.start < len)
        .map(|r| StyleRun {
            end: r.end.min(len),
            ..r
        })
        .collect()
}
