package io.cse.samples.secured;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.http.MediaType;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The application's own pages: a greeting anyone may read, and a page where administrators
 * read and add notes through a form that carries Spring Security's CSRF token.
 */
@RestController
class NoteController {

	private final List<String> notes = new CopyOnWriteArrayList<>();

	@GetMapping("/hello")
	String hello() {
		return "Hello!";
	}

	@GetMapping(path = "/admin", produces = MediaType.TEXT_HTML_VALUE)
	String admin(CsrfToken csrf) {
		StringBuilder page = new StringBuilder("<!DOCTYPE html><html><body><ul>");
		this.notes.forEach((note) -> page.append("<li>").append(HtmlUtils.htmlEscape(note)).append("</li>"));
		return page.append("</ul><form method=\"post\" action=\"/admin/notes\">")
			.append("<input name=\"note\"><input type=\"hidden\" name=\"")
			.append(csrf.getParameterName())
			.append("\" value=\"")
			.append(csrf.getToken())
			.append("\"><button>Add</button></form></body></html>")
			.toString();
	}

	@PostMapping("/admin/notes")
	String addNote(@RequestParam String note) {
		this.notes.add(note);
		return "Added: " + note;
	}

}
