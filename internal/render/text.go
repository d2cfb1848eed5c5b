package render

import "strings"

// rssText is the character data of an RSS element that holds plain text
// (titles, the channel description, categories, names). The RSS Advisory
// Board's profile asks for "&", "<" and ">" in such elements as hexadecimal
// character references (&#x26; &#x3C; &#x3E;), the one encoding every
// aggregator decodes as text and none mistakes for markup; the W3C
// validator warns when they are written any other way. encoding/xml has no
// option for that, so the element's content is escaped here and written
// as inner XML.
type rssText struct {
	Inner string `xml:",innerxml"`
}

// newRSSText escapes s, which clean has already stripped of characters
// XML cannot carry.
func newRSSText(s string) rssText { return rssText{Inner: hexEscaper.Replace(s)} }

// rssTexts converts a list.
func rssTexts(list []string) []rssText {
	if len(list) == 0 {
		return nil
	}
	out := make([]rssText, len(list))
	for i, s := range list {
		out[i] = newRSSText(s)
	}
	return out
}

// hexEscaper escapes what XML character data cannot hold literally, and a
// carriage return, which a parser would otherwise turn into a line feed.
var hexEscaper = strings.NewReplacer("&", "&#x26;", "<", "&#x3C;", ">", "&#x3E;", "\r", "&#xD;")
