"""The LMS over LTI 1.3: grades back through Assignment and Grade Services, launches into the class hub.

Needs the lms extra (pip install 'hitpm[lms]'); nothing here is imported by the learner package.
"""
