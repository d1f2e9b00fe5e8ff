"""The console: pages for the people who run review operations (account admins).

Home, flows (create from the gallery of AWS sample templates), loops (search, bulk stop), a loop's
answers drawn on its task, checking answers, and the import / export / charts pages. Every page
is scoped to the signed-in admin's accounts (`console.access`, over workforce.roles) and calls the
same domain services as the AWS API; nothing here decides a rule of its own.
"""
