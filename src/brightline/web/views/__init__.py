"""The pages, one module per kind of person: public, portal (requesters), office (records office),
review (superintendent and legal advisor), school (principals and school staff), family."""
