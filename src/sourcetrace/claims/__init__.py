"""Claims and stance (issue 24): the claims of an article, the same claim across a story, each article's stance
toward a claim (stance.py: ``sourcetrace.stance``) and the contradictions between outlets."""
